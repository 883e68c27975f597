// Stops and starts one process of the environment of `hack/cluster.sh up`
// in place (same state dir, ports and certificates), for outage tests. Only
// that environment can do this: a kind cluster or one of the caller's has no
// API server process here to stop.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../../..");

export type ClusterProcess = "kube-apiserver" | "registry-plain";

function run(args: string[]): void {
  const dir = process.env.ISO_CLUSTER_DIR;
  if (!dir) {
    throw new Error(
      "ISO_CLUSTER_DIR is not set: outage tests need the environment of `hack/cluster.sh up`",
    );
  }
  // the ports of a state dir derive from the base it was made with
  const base = readFileSync(join(dir, "port-base"), "utf8").trim();
  const result = spawnSync(join(ROOT, "hack/cluster.sh"), args, {
    encoding: "utf8",
    timeout: 180_000,
    env: { ...process.env, ISO_CLUSTER_DIR: dir, ISO_PORT_BASE: base },
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`hack/cluster.sh ${args.join(" ")} failed:\n${result.stderr}`);
  }
}

/** SIGKILL, as a crash: no graceful goodbye to open connections. */
export function killProcess(name: ClusterProcess): void {
  run(["stop", name, "--kill"]);
}

/** Starts it again; returns at once when it already runs and answers. */
export function startProcess(name: ClusterProcess): void {
  run(["start", name]);
}
