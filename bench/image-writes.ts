// npm run bench:image-writes -- APISERVER_PID ETCD_PID [N]: what one Image
// write costs the control plane, by server-side apply (what the operator
// sends) and by a plain create, N of each in two rounds, 4 in flight. Read
// from /proc/<pid>/stat (user + system ticks) of kube-apiserver and etcd, so
// the figure is their CPU, not the client's wall time. The bodies are shaped
// as src/reconcile/images.ts writes them (one layer, a config). The Images
// are deleted afterwards. Needs the environment (KUBECONFIG: admin).
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { GROUP, IMAGE_PLURAL, type Image, VERSION } from "../src/api/types.js";
import { toImageObject } from "../src/reconcile/images.js";
import type { ImportedImage } from "../src/registry/types.js";
import { adminKubeConfig } from "../test/e2e/support/env.js";

const [apiserverPid = 0, etcdPid = 0, count = 0] = process.argv.slice(2).map(Number);
if (!apiserverPid || !etcdPid) {
  throw new Error("usage: npm run bench:image-writes -- APISERVER_PID ETCD_PID [N]");
}
const N = count || 1500;
const api = adminKubeConfig.makeApiClient(CustomObjectsApi);
const g = { group: GROUP, version: VERSION, plural: IMAGE_PLURAL };
const apply = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);
const written: string[] = [];

/** user + system CPU ticks (1/100 s) of a process */
function ticks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

const hex = () => randomBytes(32).toString("hex");

function image(): Image {
  const digest = `sha256:${hex()}`;
  const layer = `sha256:${hex()}`;
  const imported: ImportedImage = {
    digest,
    manifestSize: 400,
    dockerImageReference: `127.0.0.1:5000/bench/app@${digest}`,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    size: 1234,
    layers: [{ name: layer, size: 500, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" }],
    config: { architecture: "amd64", os: "linux", created: "2026-12-08T00:00:00Z", cmd: ["/app"] },
  };
  return toImageObject(imported);
}

async function round(name: string, write: (body: Image) => Promise<unknown>): Promise<void> {
  const a0 = ticks(apiserverPid);
  const e0 = ticks(etcdPid);
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next++ < N) {
      const body = image();
      written.push(body.metadata.name ?? "");
      await write(body);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const ms = (t: number) => ((t * 10) / N).toFixed(2);
  console.log(
    `${name}: ${N} Images in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
      `kube-apiserver ${ms(ticks(apiserverPid) - a0)} ms CPU each, etcd ${ms(ticks(etcdPid) - e0)} ms`,
  );
}

try {
  for (let r = 0; r < 2; r++) {
    await round("server-side apply", (body) =>
      api.patchClusterCustomObject(
        { ...g, name: body.metadata.name ?? "", body, fieldManager: "bench", force: true },
        apply,
      ),
    );
    await round("create", (body) =>
      api.createClusterCustomObject({ ...g, body, fieldManager: "bench" }),
    );
  }
} finally {
  for (const name of written)
    await api.deleteClusterCustomObject({ ...g, name }).catch(() => undefined);
  console.log(`deleted the ${written.length} Images`);
}
