// spec.dockerImageRepository: the whole repository imported into status tags
// (latest first, then semver descending, then lexical), the first N by the
// configured limit, the rest named in status.repository.additionalTags.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANN_DOCKER_REPOSITORY_CHECK } from "../../src/api/types.js";
import { pushImage } from "../support/registry-push.js";
import {
  API_WRITES,
  counterSum,
  createNamespace,
  createStream,
  deleteNamespace,
  eventually,
  getStream,
  REGISTRY_REQUESTS,
  registryDigest,
  saveOperatorLog,
  statusTag,
  targets,
  uniqueRepository,
  waitForResyncs,
} from "./imports-support.js";
import { testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

const RESYNC_SECONDS = 2;

const PUSHED = ["alpha", "v1.2.0", "latest", "beta", "v2.0.0", "v1.10.0"];
const IMPORTED = ["latest", "v2.0.0", "v1.10.0", "v1.2.0"];

describe("bulk import of spec.dockerImageRepository", () => {
  let operator: RunningOperator;
  let namespace: string;
  const repository = uniqueRepository("bulk");
  const digests = new Map<string, string>();

  beforeAll(async () => {
    operator = await startOperator([
      "--bulk-import-limit",
      String(IMPORTED.length),
      "--resync-seconds",
      String(RESYNC_SECONDS),
    ]);
    namespace = await createNamespace("bulk");
    for (const tag of PUSHED) {
      await pushImage(targets.tls, { repository, tag, layerCount: 1 });
      digests.set(tag, await registryDigest(targets.tls, repository, tag));
    }
  });

  afterAll(async () => {
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "imports-bulk")).toEqual([]);
    if (namespace) await deleteNamespace(namespace);
  });

  it("imports the first tags by priority into status and lists the rest as additionalTags", async () => {
    await createStream(namespace, "repo", {
      dockerImageRepository: `${testEnv.registryTls}/${repository}`,
    });
    const stream = await eventually(
      "the repository import",
      async () => {
        const s = await getStream(namespace, "repo");
        return s.status?.repository && (s.status.tags?.length ?? 0) >= IMPORTED.length
          ? s
          : undefined;
      },
      30_000,
    );

    expect(stream.status?.tags?.map((t) => t.tag).sort()).toEqual([...IMPORTED].sort());
    for (const tag of IMPORTED) {
      expect(statusTag(stream, tag)?.items?.[0]).toMatchObject({
        image: digests.get(tag),
        dockerImageReference: `${testEnv.registryTls}/${repository}@${digests.get(tag)}`,
      });
    }
    expect(stream.status?.repository?.additionalTags).toEqual(["alpha", "beta"]);
    expect(stream.spec?.tags ?? []).toEqual([]);
    expect(stream.metadata.annotations?.[ANN_DOCKER_REPOSITORY_CHECK]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
  });

  it("once imported, resyncs neither list the repository again nor write", async () => {
    const writes = await counterSum(operator, API_WRITES);
    const requests = await counterSum(operator, REGISTRY_REQUESTS);
    await waitForResyncs(operator, RESYNC_SECONDS);
    expect(await counterSum(operator, API_WRITES)).toBe(writes);
    expect(await counterSum(operator, REGISTRY_REQUESTS)).toBe(requests);
  });
});
