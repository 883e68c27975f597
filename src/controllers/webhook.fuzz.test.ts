import type { Server } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../observability/logger.js";
import type { PushedTag } from "../reconcile/push-events.js";
import { FUZZ_TIMEOUT_MS, fuzzParameters, hostileText } from "../testing/fuzz.js";
import { receiverRoutes, receiversListener } from "./receivers.js";
import { listenForTest } from "./receivers-testing.js";

const SEED = {
  events: [
    {
      action: "push",
      target: { repository: "demo/app", tag: "v2" },
      request: { host: "127.0.0.1:5000" },
    },
  ],
};

describe("registry webhook receiver on hostile bodies", () => {
  let server: Server;
  let url: string;
  const received: PushedTag[][] = [];

  beforeAll(async () => {
    const routes = receiverRoutes({
      secrets: () => new Map([["distribution", "s3cret"]]),
      log: createLogger("silent"),
      onPush: (p) => received.push(p),
    });
    server = await listenForTest(receiversListener(routes));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/registry-events`;
  });
  afterAll(() => server.close());

  it(
    "answers 202 or 400 to any body and keeps serving",
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileText([JSON.stringify(SEED)], [SEED]), async (body) => {
          const res = await fetch(url, {
            method: "POST",
            body,
            headers: { authorization: "Bearer s3cret" },
          });
          await res.text();
          expect([202, 400]).toContain(res.status);
        }),
        fuzzParameters(300),
      );
      const res = await fetch(url, {
        method: "POST",
        body: JSON.stringify(SEED),
        headers: { authorization: "Bearer s3cret" },
      });
      expect(res.status).toBe(202);
      expect(received.at(-1)).toEqual([
        { registry: "127.0.0.1:5000", repository: "demo/app", tag: "v2" },
      ]);
    },
    FUZZ_TIMEOUT_MS,
  );
});
