import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../observability/logger.js";
import type { PushedTag } from "../reconcile/push-events.js";
import { startWebhookServer } from "./webhook.js";

describe("registry webhook receiver", () => {
  let server: Server;
  let url: string;
  const received: PushedTag[][] = [];

  beforeAll(async () => {
    server = await startWebhookServer({
      addr: { host: "127.0.0.1", port: 0 },
      secret: "s3cret",
      log: createLogger("silent"),
      onPush: (p) => received.push(p),
    });
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(() => server.close());

  const post = (body: string, auth = "Bearer s3cret", path = "/registry-events") =>
    fetch(`${url}${path}`, { method: "POST", body, headers: { authorization: auth } });
  const envelope = JSON.stringify({
    events: [
      {
        action: "push",
        target: { repository: "demo/app", tag: "v2" },
        request: { host: "127.0.0.1:5000" },
      },
    ],
  });

  it("accepts an authorised push and reports the pushed tag", async () => {
    const res = await post(envelope);
    expect(res.status).toBe(202);
    expect(received.at(-1)).toEqual([
      { registry: "127.0.0.1:5000", repository: "demo/app", tag: "v2" },
    ]);
  });

  it.each([
    ["no secret", ""],
    ["a wrong secret", "Bearer nope"],
    ["a secret of another length", "Bearer s3cret-and-more"],
  ])("rejects %s with 401 and reports nothing", async (_n, auth) => {
    const before = received.length;
    expect((await post(envelope, auth)).status).toBe(401);
    expect(received.length).toBe(before);
  });

  it("answers 400 to a body that is not JSON, 404 elsewhere, 405 to GET", async () => {
    expect((await post("{nope")).status).toBe(400);
    expect((await post(envelope, "Bearer s3cret", "/other")).status).toBe(404);
    expect((await fetch(`${url}/registry-events`)).status).toBe(405);
  });

  it("refuses a body over 1 MiB", async () => {
    const before = received.length;
    const res = await post("x".repeat(2 * 1024 * 1024));
    expect(res.status).toBe(413);
    expect(received.length).toBe(before);
  });
});
