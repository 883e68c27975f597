// Image objects are garbage-collected once no stream's history refers to
// them, and kept while one does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage } from "../support/registry-push.js";
import {
  createNamespace,
  createStream,
  custom,
  deleteNamespace,
  dockerTag,
  eventually,
  getImage,
  saveOperatorLog,
  sleep,
  targets,
  uniqueRepository,
  waitForImage,
} from "./imports-support.js";
import { testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

describe("Image garbage collection", () => {
  let operator: RunningOperator;
  let ns: string;

  beforeAll(async () => {
    operator = await startOperator([
      "--image-gc-interval-seconds",
      "1",
      "--image-gc-grace-minutes",
      "0",
    ]);
    ns = await createNamespace("e2e-gc");
  });

  afterAll(async () => {
    await deleteNamespace(ns);
    await operator.stop();
    expect(saveOperatorLog(operator, "images-gc")).toEqual([]);
  });

  it("deletes the Image of a deleted stream, keeps one another stream still names", async () => {
    const repository = uniqueRepository("gc");
    const only = await pushImage(targets.plain, { repository, tag: "only" });
    const shared = await pushImage(targets.plain, { repository, tag: "shared" });
    const tag = (name: string, t: string) =>
      dockerTag(name, `${testEnv.registry}/${repository}:${t}`, {
        importPolicy: { insecure: true },
      });
    await createStream(ns, "doomed", { tags: [tag("a", "only"), tag("b", "shared")] });
    await createStream(ns, "keeper", { tags: [tag("b", "shared")] });
    await waitForImage(ns, "doomed", "a");
    await waitForImage(ns, "doomed", "b");
    await waitForImage(ns, "keeper", "b");
    expect(await getImage(only.digest)).toBeDefined();
    await sleep(2500); // several GC passes: referenced Images survive them
    expect(await getImage(only.digest)).toBeDefined();

    await custom.deleteNamespacedCustomObject({
      group: "image.openshift.io",
      version: "v1",
      plural: "imagestreams",
      namespace: ns,
      name: "doomed",
    });
    await eventually("the unreferenced Image to be deleted", async () =>
      (await getImage(only.digest)) === undefined ? true : undefined,
    );
    await sleep(2500);
    expect(await getImage(shared.digest)).toBeDefined();
  });
});
