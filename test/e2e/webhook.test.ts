// Push notifications: the plain test registry posts every push to the
// operator's receiver (REGISTRY_EVENTS_URL, with the configured bearer
// secret); a scheduled tag then re-imports at once instead of at its next
// scheduled check (set to an hour here, so only the notification can explain
// a quick update).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage } from "../support/registry-push.js";
import {
  createNamespace,
  createStream,
  deleteNamespace,
  dockerTag,
  saveOperatorLog,
  targets,
  uniqueRepository,
  waitForTag,
} from "./imports-support.js";
import { testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

const eventsUrl = testEnv.registryEventsUrl;

describe.runIf(eventsUrl)("registry push notifications", () => {
  let operator: RunningOperator;
  let ns: string;

  beforeAll(async () => {
    const { hostname, port } = new URL(eventsUrl ?? "");
    operator = await startOperator(
      ["--webhook-addr", `${hostname}:${port}`, "--scheduled-import-seconds", "3600"],
      { ISO_WEBHOOK_SECRET: testEnv.registryEventsSecret },
    );
    ns = await createNamespace("e2e-webhook");
  });

  afterAll(async () => {
    await deleteNamespace(ns);
    await operator.stop();
    expect(saveOperatorLog(operator, "webhook")).toEqual([]);
  });

  it("re-imports a scheduled tag within seconds of a push, and leaves unscheduled tags alone", async () => {
    const repository = uniqueRepository("webhook");
    const first = await pushImage(targets.plain, { repository, tag: "v1" });
    const from = `${testEnv.registry}/${repository}:v1`;
    await createStream(ns, "app", {
      tags: [
        dockerTag("live", from, { importPolicy: { insecure: true, scheduled: true } }),
        dockerTag("pinned", from, { importPolicy: { insecure: true } }),
      ],
    });
    for (const tag of ["live", "pinned"]) {
      await waitForTag(ns, "app", tag, (t) => t.items?.[0]?.image === first.digest, "first import");
    }
    const pushedAt = Date.now();
    const second = await pushImage(targets.plain, { repository, tag: "v1" });
    const stream = await waitForTag(
      ns,
      "app",
      "live",
      (t) => t.items?.[0]?.image === second.digest,
      "re-import after the push notification",
      20_000,
    );
    const latencyMs = Date.now() - pushedAt;
    const live = stream.status?.tags?.find((t) => t.tag === "live");
    expect(live?.items?.map((i) => i.image)).toEqual([second.digest, first.digest]);
    const pinned = stream.status?.tags?.find((t) => t.tag === "pinned");
    expect(pinned?.items?.map((i) => i.image)).toEqual([first.digest]);
    console.log(`push -> status updated in ${latencyMs} ms`);
  });
});
