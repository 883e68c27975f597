// npm run bench:trigger: latency of image triggers on the real test
// environment (hack/cluster.sh up; npm run build), with the real operator
// running as its ServiceAccount. Times are taken when watch events reach this
// process, so the delivery delay is about the same at both ends.
//
// 1. One Deployment follows stream "bench" (tag latest). N times (default
//    100, ISO_BENCH_CHANGES): push an image, ask for a re-import as `oc tag`
//    does (generation 0), and measure
//      tag -> patched: the import controller's status write moving items[0]
//        to the Deployment carrying the new image;
//      push -> Deployment patched: the registry answering the manifest push
//        to the Deployment carrying the new image (what Keel was compared on);
//      push -> ReplicaSet: the registry answering the manifest push to the
//        ReplicaSet with the new image made by kube-controller-manager.
// 2. The same with a push notification instead of the request: stream
//    "notified" has a scheduled tag, and the operator's receiver (when the
//    environment gives REGISTRY_EVENTS_URL) re-imports it on the registry's
//    notification.
// 3. Fan-out: ISO_BENCH_FOLLOWERS Deployments (default 200) follow one tag;
//    for ISO_BENCH_FANOUT_CHANGES moves (default 3), tag -> first/last patched.
import { writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { V1PodTemplateSpec } from "@kubernetes/client-node";
import type { ImageStream } from "../src/api/types.js";
import { adminKubeConfig, testEnv } from "../test/e2e/support/env.js";
import { type RunningOperator, startOperator } from "../test/e2e/support/operator.js";
import { startOperatorWithReceivers } from "../test/e2e/support/receivers.js";
import { percentile } from "./percentile.js";
import {
  createNamespace,
  createStream,
  createWorkload,
  deleteNamespace,
  getStream,
  pushToRegistry,
  reimportAnswered,
  requestReimport,
  triggersJson,
  waitForTagImage,
  waitForWorkload,
} from "./trigger-cluster.js";
import { FIELD_PATH, fanOut, templateImages } from "./trigger-fanout.js";
import { FirstSeen } from "./trigger-watch.js";

const CHANGES = Number(process.env.ISO_BENCH_CHANGES ?? 100);
const FOLLOWERS = Number(process.env.ISO_BENCH_FOLLOWERS ?? 200);
const FANOUT_CHANGES = Number(process.env.ISO_BENCH_FANOUT_CHANGES ?? 3);
const NOTIFIED_TIMEOUT_MS = 15_000;

interface Sample {
  tagToPatchedMs: number;
  /** the registry's answer to the manifest push -> the Deployment carrying the image (Keel's measure) */
  pushToPatchedMs: number;
  pushToReplicaSetMs: number;
}

function summary(name: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v: number) => `${v.toFixed(1)} ms`;
  return (
    `${name.padEnd(40)} p50 ${f(percentile(sorted, 50))}  p90 ${f(percentile(sorted, 90))}  ` +
    `p99 ${f(percentile(sorted, 99))}  min ${f(sorted[0] ?? Number.NaN)}  ` +
    `max ${f(sorted.at(-1) ?? Number.NaN)}  (n=${sorted.length})`
  );
}

function watchers(ns: string) {
  const podTemplateImages = (o: unknown) =>
    templateImages((o as { spec?: { template?: V1PodTemplateSpec } }).spec?.template);
  const apps = `/apis/apps/v1/namespaces/${ns}`;
  const streams = new FirstSeen(
    adminKubeConfig,
    `/apis/image.openshift.io/v1/namespaces/${ns}/imagestreams`,
    (o) => ((o as ImageStream).status?.tags ?? []).map((t) => t.items?.[0]?.image ?? ""),
  );
  const deployments = new FirstSeen(adminKubeConfig, `${apps}/deployments`, podTemplateImages);
  const replicaSets = new FirstSeen(adminKubeConfig, `${apps}/replicasets`, podTemplateImages);
  return { streams, deployments, replicaSets, all: [streams, deployments, replicaSets] };
}

type Watchers = ReturnType<typeof watchers>;

/** Stream `name` (tag latest) and a Deployment of the same name following it. */
async function followed(ns: string, name: string, scheduled: boolean): Promise<string> {
  const repository = `${ns}/${name}`;
  const first = await pushToRegistry(repository, "latest");
  await createStream(ns, name, { latest: `${repository}:latest` }, { scheduled });
  const firstRef = await waitForTagImage(ns, name, "latest", first.digest);
  await createWorkload("Deployment", ns, {
    name,
    triggers: triggersJson([{ name: `${name}:latest`, fieldPath: FIELD_PATH }]),
    containers: { app: "placeholder" },
  });
  await waitForWorkload(
    "Deployment",
    ns,
    name,
    "at the first image",
    (d) => d.containers.app === firstRef,
  );
  return repository;
}

/**
 * One change of stream `name`; with `request`, the re-import is asked for
 * after the push. Without (push notification), a change not rolled out within
 * NOTIFIED_TIMEOUT_MS is counted as lost instead of failing the run: the
 * registry can notify before the tag points at the new manifest (see
 * docs/benchmarks.md), and the next push moves the tag anyway.
 */
async function measure(
  ns: string,
  name: string,
  w: Watchers,
  request: boolean,
): Promise<Sample | undefined> {
  if (request) await reimportAnswered(ns, name, "latest"); // see requestReimport
  const repository = `${ns}/${name}`;
  const pushed = await pushToRegistry(repository, "latest");
  const pushedAt = performance.now();
  if (request) await requestReimport(ns, name, "latest");
  const reference = `${testEnv.registry}/${repository}@${pushed.digest}`;
  const timeout = request ? 60_000 : NOTIFIED_TIMEOUT_MS;
  const seen = Promise.all([
    w.streams.at(pushed.digest, timeout),
    w.deployments.at(reference, timeout),
    w.replicaSets.at(reference, timeout),
  ]);
  try {
    const [tagMoved, patched, replicaSet] = await seen;
    return {
      tagToPatchedMs: patched - tagMoved,
      pushToPatchedMs: patched - pushedAt,
      pushToReplicaSetMs: replicaSet - pushedAt,
    };
  } catch (err) {
    const stream = await getStream(ns, name);
    const state = JSON.stringify({
      spec: stream.spec?.tags,
      items: stream.status?.tags?.[0]?.items?.slice(0, 2),
    });
    if (request) throw new Error(`${err}; stream now: ${state}`);
    process.stderr.write(
      `lost: ${pushed.digest} not rolled out in ${timeout} ms; stream: ${state}\n`,
    );
    return undefined;
  }
}

async function series(ns: string, name: string, w: Watchers, request: boolean) {
  const samples: Sample[] = [];
  let lost = 0;
  for (let i = 0; i < CHANGES; i++) {
    const sample = await measure(ns, name, w, request);
    if (sample === undefined) lost++;
    else samples.push(sample);
  }
  const how = request ? "re-import request" : "push notification";
  return [
    summary(
      `tag -> patched (${how})`,
      samples.map((s) => s.tagToPatchedMs),
    ),
    summary(
      `push -> Deployment patched (${how})`,
      samples.map((s) => s.pushToPatchedMs),
    ),
    summary(
      `push -> ReplicaSet (${how})`,
      samples.map((s) => s.pushToReplicaSetMs),
    ),
    ...(lost > 0 ? [`  pushes never rolled out (${how}): ${lost} of ${CHANGES}`] : []),
  ];
}

async function startWithReceiver(): Promise<RunningOperator> {
  const url = testEnv.registryEventsUrl;
  if (url === undefined) return startOperator();
  return startOperatorWithReceivers();
}

async function run(ns: string, operator: RunningOperator, w: Watchers): Promise<string[]> {
  await followed(ns, "bench", false);
  const notified = testEnv.registryEventsUrl !== undefined;
  if (notified) await followed(ns, "notified", true);
  await Promise.all(w.all.map((x) => x.start()));
  const lines = [
    `trigger latency over ${CHANGES} tag changes, one Deployment each ` +
      `(${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(1)}, Node ${process.versions.node})`,
    ...(await series(ns, "bench", w, true)),
    ...(notified
      ? await series(ns, "notified", w, false)
      : ["(no REGISTRY_EVENTS_URL: push notifications not measured)"]),
  ];
  const writes = await operator.metric(
    'imagestream_api_writes_total{resource="deployments",verb="patch"}',
  );
  const expected = (notified ? 2 : 1) * (CHANGES + 1);
  lines.push(
    `Deployment patches by the operator: ${writes} (${expected} expected: first trigger + each move, less lost pushes)`,
  );
  if (FOLLOWERS > 0 && FANOUT_CHANGES > 0) {
    lines.push(...(await fanOut(ns, w.streams, FOLLOWERS, FANOUT_CHANGES)));
  }
  return lines;
}

async function main(): Promise<void> {
  const ns = await createNamespace("bench-trigger");
  const operator = await startWithReceiver();
  const w = watchers(ns);
  try {
    process.stdout.write(`${(await run(ns, operator, w)).join("\n")}\n`);
  } catch (err) {
    // what the operator saw and did, for the report of a failed run
    const file = join(tmpdir(), "iso-bench-trigger-operator.log");
    writeFileSync(file, operator.logs());
    process.stderr.write(`operator log: ${file}\n`);
    throw err;
  } finally {
    for (const x of w.all) x.stop();
    await operator.stop();
    // where the time went: the operator's log lines carry millisecond times
    const keep = process.env.ISO_BENCH_OPERATOR_LOG;
    if (keep) writeFileSync(keep, operator.logs());
    await deleteNamespace(ns);
  }
}

main().catch((err) => {
  process.stderr.write(`bench:trigger: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
