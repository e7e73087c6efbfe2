// The generated Traefik configuration and local-certificate script, pinned by snapshot: a change
// to what the platform deploys shows up here as a diff to review.
import { describe, expect, it } from "vitest";
import { renderLocalCertificateScript } from "../../lib/tls/localCertificateScript";
import { renderRegistryConfig } from "../../lib/registry/registryConfig";
import { renderSocketProxyConfig } from "../../lib/proxy/socketProxy";
import { renderRouteLabels, renderTraefikDynamic, renderTraefikStatic } from "../../lib/proxy/traefik";

describe("Traefik configuration", () => {
    it("static: web redirects to web-secure, swarm provider through the socket proxy, opt-in only", () => {
        const text = renderTraefikStatic({
            dockerEndpoint: "tcp://socket-proxy:2375",
            network: "proxy",
            dynamicDir: "/etc/traefik/dynamic",
            onlyStack: "local",
        });
        expect(text).toMatchSnapshot();
        const config = JSON.parse(text) as { providers: { swarm: { endpoint: string; exposedByDefault: boolean } } };
        expect(config.providers.swarm).toMatchObject({ endpoint: "tcp://socket-proxy:2375", exposedByDefault: false });
    });

    it("static: HTTP redirects to the published HTTPS port when it is not 443", () => {
        const redirect = (publicHttpsPort?: number) =>
            (
                JSON.parse(
                    renderTraefikStatic({
                        dockerEndpoint: "tcp://s:2375",
                        network: "proxy",
                        dynamicDir: "/d",
                        ...(publicHttpsPort ? { publicHttpsPort } : {}),
                    }),
                ) as { entryPoints: { web: { http: { redirections: { entryPoint: { to: string } } } } } }
            ).entryPoints.web.http.redirections.entryPoint.to;
        expect([redirect(), redirect(443), redirect(18443)]).toEqual(["web-secure", "web-secure", ":18443"]);
    });

    it("dynamic: the wildcard certificate, also the default for any SNI", () => {
        expect(renderTraefikDynamic({ certFile: "/run/secrets/tls-crt-abc", keyFile: "/run/secrets/tls-key-abc" })).toMatchSnapshot();
    });

    it("route labels for a service, and a router name that would break the label keys is refused", () => {
        expect(renderRouteLabels("registry", "registry.local.slipway.test", 5000)).toMatchSnapshot();
        expect(() => renderRouteLabels("Registry.v2", "x.test", 1)).toThrow("lowercase letters, digits and dashes");
    });
});

describe("local certificate script", () => {
    it("is pinned, and refuses a domain that is not one", () => {
        expect(renderLocalCertificateScript({ domain: "local.slipway.test" })).toMatchSnapshot();
        expect(() => renderLocalCertificateScript({ domain: "local slipway; rm -rf /" })).toThrow("is not a domain name");
    });
});

describe("docker socket proxy configuration", () => {
    it("is pinned: GET/HEAD on what Traefik's swarm provider reads, nothing else", () => {
        expect(renderSocketProxyConfig({ bind: ":2375" })).toMatchSnapshot();
    });
});

describe("registry configuration", () => {
    it("is pinned: htpasswd auth, deletes enabled, filesystem or S3 storage", () => {
        expect(
            renderRegistryConfig({
                htpasswdPath: "/run/secrets/h",
                httpSecret: "HTTP-SECRET",
                storage: { kind: "filesystem", rootDirectory: "/var/lib/registry" },
            }),
        ).toMatchSnapshot();
        const s3 = JSON.parse(
            renderRegistryConfig({
                htpasswdPath: "/h",
                httpSecret: "x",
                storage: { kind: "s3", endpoint: "https://s3.example.org", region: "r", bucket: "b", accessKeyId: "AK", secretKey: "SK" },
            }),
        ) as { storage: Record<string, unknown> };
        expect(s3.storage).toMatchObject({
            s3: { regionendpoint: "https://s3.example.org", bucket: "b", accesskey: "AK", secretkey: "SK" },
            delete: { enabled: true },
        });
    });
});
