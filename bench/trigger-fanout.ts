// Fan-out part of bench:trigger: many Deployments follow one tag; per move of
// the tag, the time from its status change to the first, the median and the
// last follower patched (all seen by watch in this process).
import type { V1PodTemplateSpec } from "@kubernetes/client-node";
import { adminKubeConfig, testEnv } from "../test/e2e/support/env.js";
import { percentile } from "./percentile.js";
import {
  createStream,
  createWorkload,
  inParallel,
  pushToRegistry,
  requestReimport,
  triggersJson,
  waitForTagImage,
} from "./trigger-cluster.js";
import { FirstSeen } from "./trigger-watch.js";

export const FIELD_PATH = 'spec.template.spec.containers[?(@.name=="app")].image';

export function templateImages(template: V1PodTemplateSpec | undefined): string[] {
  return (template?.spec?.containers ?? []).map((c) => c.image ?? "");
}

export async function fanOut(
  ns: string,
  streams: FirstSeen,
  followers: number,
  moves: number,
): Promise<string[]> {
  const repository = `${ns}/wide`;
  const first = await pushToRegistry(repository, "latest");
  await createStream(ns, "wide", { latest: `${repository}:latest` });
  const firstRef = await waitForTagImage(ns, "wide", "latest", first.digest);
  const names = Array.from({ length: followers }, (_, i) => `wide-${i}`);
  const triggers = triggersJson([{ name: "wide:latest", fieldPath: FIELD_PATH }]);
  await inParallel(names, 16, (name) =>
    createWorkload("Deployment", ns, { name, triggers, containers: { app: firstRef } }),
  );
  // "name=image" for every Deployment, so each follower is timed on its own
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
    for (let i = 0; i < moves; i++) {
      const pushed = await pushToRegistry(repository, "latest");
      await requestReimport(ns, "wide", "latest");
      const reference = `${testEnv.registry}/${repository}@${pushed.digest}`;
      const moved = await streams.at(pushed.digest);
      const times = await Promise.all(names.map((n) => patched.at(`${n}=${reference}`, 300_000)));
      const sorted = times.map((t) => t - moved).sort((a, b) => a - b);
      lines.push(
        `fan-out ${followers} Deployments, move ${i + 1}: tag -> first patched ` +
          `${sorted[0]?.toFixed(0)} ms, median ${percentile(sorted, 50).toFixed(0)} ms, ` +
          `last ${sorted.at(-1)?.toFixed(0)} ms`,
      );
    }
  } finally {
    patched.stop();
  }
  return lines;
}
