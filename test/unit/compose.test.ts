import { describe, expect, it } from "vitest";
import { renderCompose } from "../../lib/docker/compose";

describe("compose documents", () => {
    const doc = (service: Parameters<typeof renderCompose>[0]["services"][string]) =>
        JSON.parse(renderCompose({ services: { app: service } })) as { services: { app: Record<string, unknown> } };

    it("keeps a script's $ as written: the loader would substitute it from the deploying shell", () => {
        const app = doc({ image: "sha256:x", entrypoint: ["/bin/sh", "-c", 'pw=$(cat /f); echo "$pw ${HOME}"'], command: ["$1"], environment: { A: "$B" } })
            .services.app;
        expect(app.entrypoint).toEqual(["/bin/sh", "-c", 'pw=$$(cat /f); echo "$$pw $${HOME}"']);
        expect(app.command).toEqual(["$$1"]);
        expect(app.environment).toEqual({ A: "$$B" });
    });

    it("gives a service more names on a network only where asked", () => {
        expect(doc({ image: "sha256:x", networks: ["proxy", "socket"], aliases: { proxy: ["git.example.org"] } }).services.app.networks).toEqual({
            proxy: { aliases: ["git.example.org"] },
            socket: {},
        });
        expect(doc({ image: "sha256:x", networks: ["proxy"] }).services.app.networks).toEqual(["proxy"]);
    });
});
