// An operator limited to a list of namespaces (--namespaces) with a short
// schedule (--scheduled-import-seconds): scheduled tags follow a moved tag by
// themselves, streams elsewhere are never touched, and a tag removed from
// spec loses its status.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage } from "../support/registry-push.js";
import {
  createNamespace,
  createStream,
  deleteNamespace,
  dockerTag,
  eventually,
  getStream,
  patchStream,
  registryDigest,
  saveOperatorLog,
  sleep,
  statusTag,
  targets,
  uniqueRepository,
  waitForImage,
  waitForTag,
} from "./imports-support.js";
import { testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

const SCHEDULE_SECONDS = 3;

describe("an operator scoped to namespaces, with scheduled imports", () => {
  let operator: RunningOperator;
  let watched: string;
  let ignored: string;
  const repository = uniqueRepository("scheduled");
  const reference = `${testEnv.registry}/${repository}:v1`;
  let first: string;

  beforeAll(async () => {
    watched = await createNamespace("scoped");
    ignored = await createNamespace("unwatched");
    operator = await startOperator([
      "--namespaces",
      watched,
      "--scheduled-import-seconds",
      String(SCHEDULE_SECONDS),
    ]);
    await pushImage(targets.plain, { repository, tag: "v1" });
    first = await registryDigest(targets.plain, repository, "v1");
  });

  afterAll(async () => {
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "imports-scoped")).toEqual([]);
    await Promise.all([watched, ignored].filter(Boolean).map(deleteNamespace));
  });

  it("a scheduled tag picks up a new push without any user action", async () => {
    await createStream(watched, "app", {
      tags: [
        dockerTag("v1", reference, { importPolicy: { insecure: true, scheduled: true } }),
        dockerTag("pinned", reference, { importPolicy: { insecure: true } }),
      ],
    });
    await waitForImage(watched, "app", "v1");
    await waitForImage(watched, "app", "pinned");
    await pushImage(targets.plain, { repository, tag: "v1" });
    const second = await registryDigest(targets.plain, repository, "v1");

    const stream = await waitForTag(
      watched,
      "app",
      "v1",
      (t) => t.items?.[0]?.image === second,
      "follows the new push",
      4 * SCHEDULE_SECONDS * 1000,
    );
    expect(statusTag(stream, "v1")?.items?.map((i) => i.image)).toEqual([second, first]);
    // the unscheduled tag stays where it was imported
    expect(statusTag(stream, "pinned")?.items?.map((i) => i.image)).toEqual([first]);
  });

  it("a tag removed from spec loses its status", async () => {
    const stream = await getStream(watched, "app");
    const index = stream.spec?.tags?.findIndex((t) => t.name === "pinned") ?? -1;
    await patchStream(watched, "app", [
      { op: "test", path: `/spec/tags/${index}/name`, value: "pinned" },
      { op: "remove", path: `/spec/tags/${index}` },
    ]);
    const after = await eventually("the pinned status tag to go", async () => {
      const s = await getStream(watched, "app");
      return statusTag(s, "pinned") ? undefined : s;
    });
    expect(after.status?.tags?.map((t) => t.tag)).toEqual(["v1"]);
  });

  it("streams in other namespaces are never touched", async () => {
    await createStream(ignored, "app", {
      tags: [dockerTag("v1", reference, { importPolicy: { insecure: true } })],
    });
    await sleep(3000);
    const stream = await getStream(ignored, "app");
    expect(stream.status).toBeUndefined();
    expect(stream.spec?.tags?.[0]?.generation).toBeUndefined();
  });
});
