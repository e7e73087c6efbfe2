// A loopback token service for distribution's `auth: token` (the Docker registry token
// protocol): checks Basic credentials, then issues an ES256 JWT for the requested scope,
// signed with a key of the test's own that the registry trusts through a JWKS file. Counts
// the tokens it issues, so tests can prove the client caches them.
import { generateKeyPairSync, sign } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export const TOKEN_ISSUER = "slipway-test-issuer";
export const TOKEN_SERVICE = "slipway-test-registry";
const KEY_ID = "slipway-test-key";

export interface TokenServer {
    realm: string;
    /** The JWKS document the registry must trust. */
    jwks: string;
    /** Scopes a token was issued for, in order. */
    issued: string[];
    /** Requests refused (bad or missing credentials). */
    refused: number;
    stop(): Promise<void>;
}

const b64url = (value: Buffer | string) => Buffer.from(value).toString("base64url");

export async function startTokenServer(user: { username: string; password: string }): Promise<TokenServer> {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: "jwk" }), kid: KEY_ID, use: "sig", alg: "ES256" }] });
    const expected = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString("base64")}`;
    const state = { issued: [] as string[], refused: 0 };

    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        if (req.headers.authorization !== expected) {
            state.refused++;
            res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ details: "bad credentials" }));
            return;
        }
        const scope = url.searchParams.get("scope") ?? "";
        const [type, name, actions] = scope.split(":");
        const now = Math.floor(Date.now() / 1000);
        const header = b64url(JSON.stringify({ alg: "ES256", typ: "JWT", kid: KEY_ID }));
        const claims = b64url(
            JSON.stringify({
                iss: TOKEN_ISSUER,
                sub: user.username,
                aud: url.searchParams.get("service"),
                exp: now + 300,
                nbf: now - 10,
                iat: now,
                jti: `${now}-${state.issued.length}`,
                access: type && name && actions ? [{ type, name, actions: actions.split(",") }] : [],
            }),
        );
        const signature = sign("sha256", Buffer.from(`${header}.${claims}`), { key: privateKey, dsaEncoding: "ieee-p1363" });
        state.issued.push(scope);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: `${header}.${claims}.${b64url(signature)}`, expires_in: 300 }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        realm: `http://127.0.0.1:${port}/token`,
        jwks,
        get issued() {
            return state.issued;
        },
        get refused() {
            return state.refused;
        },
        stop: () =>
            new Promise((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
