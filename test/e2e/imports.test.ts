// The import controller end to end, the first "Done when": a tag
// resolves to the digest the registry reports, a new push plus a re-import
// request adds history newest first, a re-import of an unchanged tag adds
// nothing, and a resync that finds nothing to do writes nothing and asks no
// registry anything. One operator process (its ServiceAccount, never admin)
// serves every test of this file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANN_DOCKER_REPOSITORY_CHECK, type ImageStream } from "../../src/api/types.js";
import { pushImage } from "../support/registry-push.js";
import {
  counterSum,
  createNamespace,
  createStream,
  deleteNamespace,
  dockerTag,
  eventually,
  getImage,
  getStream,
  mergePatchStream,
  RECONCILES,
  REGISTRY_REQUESTS,
  registryDigest,
  requestReimport,
  saveOperatorLog,
  sleep,
  statusTag,
  streamEvents,
  targets,
  uniqueRepository,
  waitForImage,
  waitForResyncs,
  waitForTag,
} from "./imports-support.js";
import { testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

const RESYNC_SECONDS = 2;

const STATUS_PATCHES = 'imagestream_api_writes_total{resource="imagestreams/status",verb="patch"}';
const SPEC_PATCHES = 'imagestream_api_writes_total{resource="imagestreams",verb="patch"}';
const IMAGE_APPLIES = 'imagestream_api_writes_total{resource="images",verb="apply"}';
const IMPORTS_OK = 'imagestream_imports_total{result="success",reason=""}';

/** Every registry request the operator made, whatever the method and answer. */

function items(stream: ImageStream, tag: string) {
  return statusTag(stream, tag)?.items ?? [];
}

describe("import of a DockerImage tag", () => {
  let operator: RunningOperator;
  let namespace: string;
  const repository = uniqueRepository("basic");
  const reference = `${testEnv.registry}/${repository}:v1`;
  let first: string;
  let second: string;

  beforeAll(async () => {
    // a short resync, so the no-op pass below happens within seconds
    operator = await startOperator(["--resync-seconds", String(RESYNC_SECONDS)]);
    namespace = await createNamespace("imports");
  });

  afterAll(async () => {
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "imports")).toEqual([]);
    if (namespace) await deleteNamespace(namespace);
  });

  it("records the digest the registry reports, the reference by digest, and an Image with config metadata", async () => {
    await pushImage(targets.plain, {
      repository,
      tag: "v1",
      labels: { "io.example.team": "e2e" },
      entrypoint: ["/bin/app"],
      exposedPorts: ["8080/tcp"],
    });
    first = await registryDigest(targets.plain, repository, "v1");
    await createStream(namespace, "app", {
      tags: [dockerTag("v1", reference, { importPolicy: { insecure: true } })],
    });

    const stream = await waitForImage(namespace, "app", "v1");
    const [current, ...older] = items(stream, "v1");
    expect(older).toEqual([]);
    expect(current?.image).toBe(first);
    expect(current?.dockerImageReference).toBe(`${testEnv.registry}/${repository}@${first}`);
    expect(current?.generation).toBeGreaterThan(0);
    expect(Date.parse(current?.created ?? "")).not.toBeNaN();
    expect(statusTag(stream, "v1")?.conditions ?? []).toEqual([]);

    const image = await getImage(first);
    expect(image?.metadata.name).toBe(`sha256.${first.slice("sha256:".length)}`);
    expect(image?.digest).toBe(first);
    expect(image?.dockerImageReference).toBe(`${testEnv.registry}/${repository}@${first}`);
    expect(image?.dockerImageManifestMediaType).toBe(
      "application/vnd.docker.distribution.manifest.v2+json",
    );
    expect(image?.layers).toHaveLength(2);
    expect(image?.config).toMatchObject({
      architecture: "amd64",
      os: "linux",
      entrypoint: ["/bin/app"],
      labels: { "io.example.team": "e2e" },
      exposedPorts: ["8080/tcp"],
      user: "1001",
      workingDir: "/app",
    });
  });

  it("stamps openshift.io/image.dockerRepositoryCheck and records a TagUpdated Event", async () => {
    const stream = await getStream(namespace, "app");
    const stamped = stream.metadata.annotations?.[ANN_DOCKER_REPOSITORY_CHECK];
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const events = await eventually("a TagUpdated event", async () => {
      const found = await streamEvents(namespace, "app");
      return found.some((e) => e.reason === "TagUpdated") ? found : undefined;
    });
    expect(events.find((e) => e.reason === "TagUpdated")?.type).toBe("Normal");
  });

  it("a new push and a re-import request add a second history item, newest first", async () => {
    await pushImage(targets.plain, { repository, tag: "v1" });
    second = await registryDigest(targets.plain, repository, "v1");
    expect(second).not.toBe(first);
    await requestReimport(namespace, "app", "v1");

    const stream = await waitForTag(
      namespace,
      "app",
      "v1",
      (t) => (t.items?.length ?? 0) === 2,
      "has two history items",
    );
    expect(items(stream, "v1").map((i) => i.image)).toEqual([second, first]);
    expect(items(stream, "v1")[0]?.dockerImageReference).toBe(
      `${testEnv.registry}/${repository}@${second}`,
    );
    const [newest, oldest] = items(stream, "v1");
    expect(Date.parse(newest?.created ?? "")).toBeGreaterThanOrEqual(
      Date.parse(oldest?.created ?? ""),
    );
    expect(newest?.generation).toBeGreaterThan(oldest?.generation ?? 0);
    expect(await getImage(second)).toBeDefined();
  });

  it("a re-import request with nothing pushed re-imports once and adds no history, Event or Image", async () => {
    const before = await settled(namespace, "app");
    const imageWrites = await operator.metric(IMAGE_APPLIES);
    const eventsBefore = (await streamEvents(namespace, "app")).length;
    const imports = await operator.metric(IMPORTS_OK);

    await requestReimport(namespace, "app", "v1");
    await eventually("the re-import", async () => (await operator.metric(IMPORTS_OK)) > imports);
    const after = await settled(namespace, "app");

    expect(await operator.metric(IMPORTS_OK)).toBe(imports + 1);
    const history = (s: ImageStream) =>
      items(s, "v1").map(({ created, dockerImageReference, image }) => ({
        created,
        dockerImageReference,
        image,
      }));
    expect(history(after)).toEqual(history(before));
    expect(items(after, "v1").map((i) => i.image)).toEqual([second, first]);
    expect(await operator.metric(IMAGE_APPLIES)).toBe(imageWrites);
    expect(await streamEvents(namespace, "app")).toHaveLength(eventsBefore);
  });

  // The "Done when": no status write. The spec generation is settled
  // back to the observed one instead (ADR 0003).
  it("a re-import request with nothing pushed writes no status", async () => {
    const before = await settled(namespace, "app");
    const statusWrites = await operator.metric(STATUS_PATCHES);
    const specWrites = await operator.metric(SPEC_PATCHES);
    const imports = await operator.metric(IMPORTS_OK);

    await requestReimport(namespace, "app", "v1");
    await eventually("the re-import", async () => (await operator.metric(IMPORTS_OK)) > imports);
    const after = await settled(namespace, "app");

    expect(items(after, "v1").map((i) => i.image)).toEqual([second, first]);
    // the only writes after the user's request: the stamp, then settling back (ADR 0003)
    expect(await operator.metric(SPEC_PATCHES)).toBe(specWrites + 2);
    expect(await operator.metric(STATUS_PATCHES)).toBe(statusWrites);
    expect(after.status).toEqual(before.status);
  });

  it("a resync that finds nothing to do makes no API write and no registry request", async () => {
    await settled(namespace, "app");
    const before = await getStream(namespace, "app");
    const writes = [
      await operator.metric(STATUS_PATCHES),
      await operator.metric(SPEC_PATCHES),
      await operator.metric(IMAGE_APPLIES),
    ];
    const requests = await counterSum(operator, REGISTRY_REQUESTS);
    expect(requests).toBeGreaterThan(0); // the counter does count: the imports above made some

    await waitForResyncs(operator, RESYNC_SECONDS);

    expect([
      await operator.metric(STATUS_PATCHES),
      await operator.metric(SPEC_PATCHES),
      await operator.metric(IMAGE_APPLIES),
    ]).toEqual(writes);
    expect(await counterSum(operator, REGISTRY_REQUESTS)).toBe(requests);
    expect((await getStream(namespace, "app")).metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
  });

  it("a reference by digest, and one without a tag (latest), keep the user's spelling", async () => {
    await pushImage(targets.plain, { repository, tag: "latest" });
    const latest = await registryDigest(targets.plain, repository, "latest");
    const byDigest = `${testEnv.registry}/${repository}@${first}`;
    await createStream(namespace, "spellings", {
      tags: [
        dockerTag("pinned", byDigest, { importPolicy: { insecure: true } }),
        dockerTag("implicit", `${testEnv.registry}/${repository}`, {
          importPolicy: { insecure: true },
        }),
      ],
    });
    const pinned = await waitForImage(namespace, "spellings", "pinned");
    expect(items(pinned, "pinned")[0]).toMatchObject({
      image: first,
      dockerImageReference: byDigest,
    });
    const implicit = await waitForImage(namespace, "spellings", "implicit");
    expect(items(implicit, "implicit")[0]).toMatchObject({
      image: latest,
      dockerImageReference: `${testEnv.registry}/${repository}@${latest}`,
    });
  });

  it("imports through a storm of concurrent writes to the stream: conflicts retried, nothing lost or doubled", async () => {
    const busy = uniqueRepository("busy");
    await pushImage(targets.plain, { repository: busy, tag: "a" });
    await pushImage(targets.plain, { repository: busy, tag: "b" });
    const digests = {
      a: await registryDigest(targets.plain, busy, "a"),
      b: await registryDigest(targets.plain, busy, "b"),
    };
    await createStream(namespace, "busy", {
      tags: ["a", "b"].map((tag) =>
        dockerTag(tag, `${testEnv.registry}/${busy}:${tag}`, { importPolicy: { insecure: true } }),
      ),
    });
    // another writer (a user, a GitOps tool) keeps changing the stream meanwhile
    const stormEnd = Date.now() + 4000;
    for (let i = 0; Date.now() < stormEnd; i++) {
      await mergePatchStream(namespace, "busy", { metadata: { labels: { storm: String(i) } } });
    }

    const stream = await settled(namespace, "busy");
    for (const tag of ["a", "b"] as const) {
      expect(items(stream, tag).map((i) => i.image)).toEqual([digests[tag]]);
      expect(statusTag(stream, tag)?.conditions ?? []).toEqual([]);
    }
    expect(stream.metadata.annotations?.[ANN_DOCKER_REPOSITORY_CHECK]).toBeDefined();
    const updated = await eventually("TagUpdated for both tags", async () => {
      const found = (await streamEvents(namespace, "busy")).filter(
        (e) => e.reason === "TagUpdated",
      );
      return found.length >= 2 ? found : undefined;
    });
    expect(updated.map((e) => e.note).sort()).toEqual([
      `Tag a updated from <none> to ${digests.a}`,
      `Tag b updated from <none> to ${digests.b}`,
    ]);
  });

  it("a restarted operator finds nothing to do: no API write, no registry request", async () => {
    await settled(namespace, "app");
    const before = await getStream(namespace, "app");
    await operator.stop();
    expect(saveOperatorLog(operator, "imports-before-restart")).toEqual([]);
    operator = await startOperator(["--resync-seconds", String(RESYNC_SECONDS)]);

    // the initial list enqueues every stream, then resyncs follow
    await eventually(
      "the first passes of the new process",
      async () => (await operator.metric(RECONCILES)) >= 2,
      15_000,
    );
    const text = await (await fetch(operator.metricsUrl)).text();
    expect(text.split("\n").filter((l) => l.startsWith("imagestream_api_writes_total{"))).toEqual(
      [],
    );
    expect(await counterSum(operator, REGISTRY_REQUESTS)).toBe(0);
    expect((await getStream(namespace, "app")).metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
  });
});

/**
 * The stream once the operator is done with it: every spec tag's generation
 * stamped and observed, and the resourceVersion unchanged over a short pause.
 */
async function settled(namespace: string, name: string): Promise<ImageStream> {
  let previous = "";
  return eventually(
    `${namespace}/${name} to settle`,
    async () => {
      const stream = await getStream(namespace, name);
      const pending = (stream.spec?.tags ?? []).some((tag) => {
        const observed = Math.max(
          statusTag(stream, tag.name)?.items?.[0]?.generation ?? 0,
          ...(statusTag(stream, tag.name)?.conditions ?? []).map((c) => c.generation),
        );
        return !tag.generation || tag.generation > observed;
      });
      const rv = stream.metadata.resourceVersion ?? "";
      const stable = !pending && rv === previous;
      previous = rv;
      if (!stable) await sleep(500);
      return stable ? stream : undefined;
    },
    30_000,
    0,
  );
}
