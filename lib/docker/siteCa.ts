// The site's private CA as every Go service of the platform finds it: one swarm config mounted
// beside the system bundle.

/**
 * Where a service finds the site's private CA: Go programs (Gitea, Woodpecker) read every file in
 * /etc/ssl/certs besides the system bundle, so mounting it there is all it takes to trust it.
 */
export const SITE_CA_PATH = "/etc/ssl/certs/slipway-site-ca.pem";

/**
 * What SITE_CA_PATH holds: the site's private CA, or, for a publicly trusted certificate, a line
 * that says so (swarm refuses an empty config; Go skips text that is not PEM).
 */
export function siteCaFile(ca: string | undefined): string {
    return ca?.trim() ? ca : "# no private CA: the site's certificate is publicly trusted\n";
}
