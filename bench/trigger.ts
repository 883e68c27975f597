// npm run bench:trigger: latency of image triggers on the real test
// environment (hack/cluster.sh up; npm run build), with the real operator
// running as its ServiceAccount. For each of N changes (default 100, or
// ISO_BENCH_CHANGES) of one tag followed by one Deployment:
//   tag -> patched: from the import controller's status write that moves the
//     tag's items[0] to the Deployment carrying the new image (both seen by
//     watch in this process);
//   push -> ReplicaSet: from the registry answering the manifest push to the
//     ReplicaSet with the new image created by kube-controller-manager. No
//     push-notification receiver exists yet, so the benchmark asks for the
//     re-import itself right after the push (generation 0, as `oc tag` does).
// Then fan-out: ISO_BENCH_FOLLOWERS Deployments (default 200) follow another
// tag; for ISO_BENCH_FANOUT_CHANGES moves (default 3), the time from the tag's
// status change to the first and to the last follower patched.
import { cpus } from "node:os";
import type { V1PodTemplateSpec } from "@kubernetes/client-node";
import type { ImageStream } from "../src/api/types.js";
import { adminKubeConfig, testEnv } from "../test/e2e/support/env.js";
import { startOperator } from "../test/e2e/support/operator.js";
import {
  createNamespace,
  createStream,
  createWorkload,
  deleteNamespace,
  getStream,
  inParallel,
  pushToRegistry,
  requestReimport,
  triggersJson,
  waitForTagImage,
  waitForWorkload,
} from "./trigger-cluster.js";
import { FirstSeen } from "./trigger-watch.js";

const CHANGES = Number(process.env.ISO_BENCH_CHANGES ?? 100);
const FOLLOWERS = Number(process.env.ISO_BENCH_FOLLOWERS ?? 200);
const FANOUT_CHANGES = Number(process.env.ISO_BENCH_FANOUT_CHANGES ?? 3);
const FIELD_PATH = 'spec.template.spec.containers[?(@.name=="app")].image';

interface Sample {
  tagToPatchedMs: number;
  pushToReplicaSetMs: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

function summary(name: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v: number) => `${v.toFixed(1)} ms`;
  return (
    `${name.padEnd(22)} p50 ${f(percentile(sorted, 50))}  p90 ${f(percentile(sorted, 90))}  ` +
    `p99 ${f(percentile(sorted, 99))}  min ${f(sorted[0] ?? Number.NaN)}  ` +
    `max ${f(sorted.at(-1) ?? Number.NaN)}  (n=${sorted.length})`
  );
}

function templateImages(template: V1PodTemplateSpec | undefined): string[] {
  return (template?.spec?.containers ?? []).map((c) => c.image ?? "");
}

function watchers(ns: string) {
  const streams = new FirstSeen(
    adminKubeConfig,
    `/apis/image.openshift.io/v1/namespaces/${ns}/imagestreams`,
    (o) => ((o as ImageStream).status?.tags ?? []).map((t) => t.items?.[0]?.image ?? ""),
  );
  const deployments = new FirstSeen(
    adminKubeConfig,
    `/apis/apps/v1/namespaces/${ns}/deployments`,
    (o) => templateImages((o as { spec?: { template?: V1PodTemplateSpec } }).spec?.template),
  );
  const replicaSets = new FirstSeen(
    adminKubeConfig,
    `/apis/apps/v1/namespaces/${ns}/replicasets`,
    (o) => templateImages((o as { spec?: { template?: V1PodTemplateSpec } }).spec?.template),
  );
  return { streams, deployments, replicaSets, all: [streams, deployments, replicaSets] };
}

async function measure(ns: string, repository: string, w: ReturnType<typeof watchers>) {
  const pushed = await pushToRegistry(repository, "latest");
  const pushedAt = performance.now();
  await requestReimport(ns, "bench", "latest");
  const reference = `${testEnv.registry}/${repository}@${pushed.digest}`;
  const [tagMoved, patched, replicaSet] = await Promise.all([
    w.streams.at(pushed.digest),
    w.deployments.at(reference),
    w.replicaSets.at(reference),
  ]);
  return { tagToPatchedMs: patched - tagMoved, pushToReplicaSetMs: replicaSet - pushedAt };
}

/** Followers of tag "wide:latest"; per move, when the first and the last were patched. */
async function fanOut(ns: string, w: ReturnType<typeof watchers>): Promise<string[]> {
  const repository = `${ns}/wide`;
  const first = await pushToRegistry(repository, "latest");
  await createStream(ns, "wide", { latest: `${repository}:latest` });
  const firstRef = await waitForTagImage(ns, "wide", "latest", first.digest);
  const names = Array.from({ length: FOLLOWERS }, (_, i) => `wide-${i}`);
  const triggers = triggersJson([{ name: "wide:latest", fieldPath: FIELD_PATH }]);
  await inParallel(names, 16, (name) =>
    createWorkload("Deployment", ns, { name, triggers, containers: { app: firstRef } }),
  );
  const patched = new FirstSeen(
    adminKubeConfig,
    `/apis/apps/v1/namespaces/${ns}/deployments`,
    (o) => {
      const d = o as { metadata?: { name?: string }; spec?: { template?: V1PodTemplateSpec } };
      return templateImages(d.spec?.template).map((image) => `${d.metadata?.name}=${image}`);
    },
  );
  await patched.start();
  const lines: string[] = [];
  try {
    for (let i = 0; i < FANOUT_CHANGES; i++) {
      const pushed = await pushToRegistry(repository, "latest");
      await requestReimport(ns, "wide", "latest");
      const reference = `${testEnv.registry}/${repository}@${pushed.digest}`;
      const moved = await w.streams.at(pushed.digest).catch(async (err) => {
        const stream = await getStream(ns, "wide");
        throw new Error(
          `${err}; stream now: ${JSON.stringify({ spec: stream.spec, status: stream.status })}`,
        );
      });
      const times = await Promise.all(names.map((n) => patched.at(`${n}=${reference}`, 300_000)));
      const sorted = times.map((t) => t - moved).sort((a, b) => a - b);
      lines.push(
        `fan-out ${FOLLOWERS} Deployments, move ${i + 1}: tag -> first patched ${sorted[0]?.toFixed(0)} ms, ` +
          `median ${percentile(sorted, 50).toFixed(0)} ms, last ${sorted.at(-1)?.toFixed(0)} ms`,
      );
    }
  } finally {
    patched.stop();
  }
  return lines;
}

async function main(): Promise<void> {
  const ns = await createNamespace("bench-trigger");
  const operator = await startOperator();
  const w = watchers(ns);
  try {
    const repository = `${ns}/app`;
    const first = await pushToRegistry(repository, "latest");
    await createStream(ns, "bench", { latest: `${repository}:latest` });
    const firstRef = await waitForTagImage(ns, "bench", "latest", first.digest);
    await createWorkload("Deployment", ns, {
      name: "bench",
      triggers: triggersJson([{ name: "bench:latest", fieldPath: FIELD_PATH }]),
      containers: { app: "placeholder" },
    });
    await waitForWorkload(
      "Deployment",
      ns,
      "bench",
      "at the first image",
      (d) => d.containers.app === firstRef,
    );
    await Promise.all(w.all.map((x) => x.start()));
    const samples: Sample[] = [];
    for (let i = 0; i < CHANGES; i++) samples.push(await measure(ns, repository, w));
    const writes = await operator.metric(
      'imagestream_api_writes_total{resource="deployments",verb="patch"}',
    );
    const fanOutLines = FOLLOWERS > 0 && FANOUT_CHANGES > 0 ? await fanOut(ns, w) : [];
    process.stdout.write(
      [
        `trigger latency over ${CHANGES} tag changes, one Deployment (${cpus().length} CPUs, Node ${process.versions.node})`,
        summary(
          "tag -> patched",
          samples.map((s) => s.tagToPatchedMs),
        ),
        summary(
          "push -> ReplicaSet",
          samples.map((s) => s.pushToReplicaSetMs),
        ),
        `Deployment patches by the operator: ${writes} (1 first trigger + ${CHANGES} moves expected)`,
        ...fanOutLines,
        "",
      ].join("\n"),
    );
  } finally {
    for (const x of w.all) x.stop();
    await operator.stop();
    await deleteNamespace(ns);
  }
}

main().catch((err) => {
  process.stderr.write(`bench:trigger: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
