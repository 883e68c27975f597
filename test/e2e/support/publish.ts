// The project's published forms, made the way `make image` and `make chart`
// make them, into the e2e environment's plain registry: the operator's image
// (hack/image/build.sh, ADR 0029) and the Helm chart as an OCI artifact
// (hack/chart-publish.sh). Plus the commands they need, run with the test
// process's environment (PATH holds the pinned helm and kubectl).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadYaml } from "@kubernetes/client-node";
import { testEnv } from "./env.js";
import { repoRoot } from "./kubectl.js";

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs command to completion; its stdout, or an error with its exit status and stderr. */
export function runOk(command: string, args: string[], options: RunOptions = {}): string {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    timeout: options.timeoutMs ?? 60_000,
    env: { ...process.env, ...options.env },
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")}: exit ${result.status}\n${result.stderr}`);
  }
  return result.stdout;
}

export const helm = (args: string[]): string => runOk("helm", args);

/** A script of ours (hack/), its stdout trimmed; fails with its stderr. */
export function script(path: string, env: NodeJS.ProcessEnv = {}): string {
  return runOk(join(repoRoot, path), [], { env, timeoutMs: 1_200_000 }).trim();
}

/** `make image` into the test registry as imagestream-operator:tag: the reference by digest. */
export function buildOperatorImage(tag: string): string {
  return script("hack/image/build.sh", { IMAGE_REGISTRY: testEnv.registry, IMAGE_TAG: tag });
}

export const CHART_DIR = join(repoRoot, "helm/imagestream-operator");

/** `make chart` into the test registry: the chart's oci:// reference. */
export function publishChart(): string {
  return script("hack/chart-publish.sh", { CHART_REGISTRY: testEnv.registry });
}

export function chartVersion(): string {
  return (loadYaml(readFileSync(join(CHART_DIR, "Chart.yaml"), "utf8")) as { version: string })
    .version;
}
