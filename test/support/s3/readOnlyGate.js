// A read-only gate in front of the test S3 server (gofakes3 checks no credentials): requests
// signed with READ_ONLY_KEY may only read (GET, HEAD); any other method is refused with S3's
// AccessDenied, as a read-only IAM policy would, and counted. Everything else passes through.
// Plain Node (no dependencies): it runs inside the preview step image, next to the S3 server.
"use strict";
const http = require("node:http");

const [listen, upstream, readOnlyKey] = [Number(process.env.GATE_PORT), Number(process.env.UPSTREAM_PORT), process.env.READ_ONLY_KEY];
let refused = 0;

http.createServer((req, res) => {
    if (req.url === "/__gate/refused") return res.end(String(refused));
    const key = /Credential=([^/,\s]+)\//.exec(req.headers.authorization || "")?.[1];
    if (key === readOnlyKey && req.method !== "GET" && req.method !== "HEAD") {
        refused++;
        res.writeHead(403, { "content-type": "application/xml" });
        return res.end("<Error><Code>AccessDenied</Code><Message>read-only credentials</Message></Error>");
    }
    const out = http.request({ host: "127.0.0.1", port: upstream, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode || 502, answer.headers);
        answer.pipe(res);
    });
    out.on("error", () => (res.writeHead(502), res.end()));
    req.pipe(out);
}).listen(listen, "0.0.0.0");
