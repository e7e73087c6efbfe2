// The local stack's TLS: a throwaway CA and one wildcard certificate for the platform domain,
// made by openssl in a shell script whose output (JSON) the stack keeps as Pulumi secrets.
// The CA's key is discarded once it has signed: nothing can issue under this CA later, and
// a new certificate means a new CA that clients trust again. Pure; snapshot-tested.
import { shellQuote } from "../shell";

export interface LocalCertificateOptions {
    /** The platform domain; the certificate covers it and `*.<domain>`. */
    domain: string;
    /** @default 825 (the longest validity clients accept for a leaf) */
    days?: number;
}

/** Prints `{"ca": PEM, "certificate": PEM, "key": PEM}` on stdout; everything else goes to a temp dir it removes. */
export function renderLocalCertificateScript({ domain, days = 825 }: LocalCertificateOptions): string {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(domain)) throw new Error(`"${domain}" is not a domain name`);
    const d = shellQuote(domain);
    return [
        "set -euo pipefail",
        'dir=$(mktemp -d); trap \'rm -rf "$dir"\' EXIT; cd "$dir"',
        `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days ${days} -subj "/CN=Slipway local CA for "${d} -addext basicConstraints=critical,CA:TRUE,pathlen:0 -addext keyUsage=critical,keyCertSign,cRLSign -keyout ca.key -out ca.crt 2>/dev/null`,
        `openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=*."${d} -keyout tls.key -out tls.csr 2>/dev/null`,
        `printf 'subjectAltName=DNS:%s,DNS:*.%s\\nbasicConstraints=critical,CA:FALSE\\nkeyUsage=critical,digitalSignature\\nextendedKeyUsage=serverAuth\\n' ${d} ${d} >ext.cnf`,
        `openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days ${days} -extfile ext.cnf -out tls.crt 2>/dev/null`,
        "rm -f ca.key",
        "jq -n --rawfile ca ca.crt --rawfile certificate tls.crt --rawfile key tls.key '{ca: $ca, certificate: $certificate, key: $key}'",
    ].join("\n");
}
