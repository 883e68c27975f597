import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RegistryPolicy } from "./policy.js";
import { Transport } from "./transport.js";

const ANSWER_MS = 150;
let server: Server;
let base: string;
let connections: number;

beforeEach(async () => {
  // a registry that answers every request, slowly but well within the timeout
  server = createServer((req, res) => {
    // as a registry answers a HEAD: the length of the body a GET would get, no body
    res.setHeader("content-length", "2");
    setTimeout(() => res.end(req.method === "HEAD" ? undefined : "{}"), ANSWER_MS);
  });
  connections = 0;
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("Transport deadlines", () => {
  it("counts the timeout from the socket, not from the wait for a busy host's slots", async () => {
    const transport = new Transport(new RegistryPolicy());
    const send = (i: number) =>
      transport.send({
        url: new URL(`${base}/v2/r${i}/manifests/latest`),
        method: "GET",
        headers: {},
        maxBodyBytes: 1024,
        // one answer fits, two in a row (a wait for a socket, then the answer) would not
        timeoutMs: ANSWER_MS * 2,
        tls: { rejectUnauthorized: true },
      });
    try {
      // three times the host's 8 concurrency slots: the last wait two answers for a slot
      const results = await Promise.allSettled(Array.from({ length: 24 }, (_, i) => send(i)));
      const statuses = results.map((r) => (r.status === "fulfilled" ? r.value.status : r.reason));
      expect(statuses).toEqual(Array(24).fill(200));
    } finally {
      transport.close();
    }
  });
});

describe("Transport connections", () => {
  it("keeps one connection for HEAD after HEAD (an unchanged check opens none)", async () => {
    const transport = new Transport(new RegistryPolicy());
    const head = () =>
      transport.send({
        url: new URL(`${base}/v2/r/manifests/latest`),
        method: "HEAD",
        headers: {},
        maxBodyBytes: 1024,
        timeoutMs: 5_000,
        tls: { rejectUnauthorized: true },
      });
    try {
      for (let i = 0; i < 5; i++) expect((await head()).status).toBe(200);
      expect(connections).toBe(1);
    } finally {
      transport.close();
    }
  });
});
