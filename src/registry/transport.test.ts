import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RegistryPolicy } from "./policy.js";
import { Transport } from "./transport.js";

const ANSWER_MS = 150;
let server: Server;
let base: string;

beforeEach(async () => {
  // a registry that answers every request, slowly but well within the timeout
  server = createServer((_req, res) => {
    setTimeout(() => res.end("{}"), ANSWER_MS);
  });
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
