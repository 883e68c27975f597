import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { loadKubeConfig, reuseConnections } from "./kube.js";

function kubeconfigFile(server: string): string {
  const dir = mkdtempSync(join(tmpdir(), "kc-"));
  const file = join(dir, "config");
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}", certificate-authority-data: ${Buffer.from("ca").toString("base64")}}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
  );
  return file;
}

describe("loadKubeConfig", () => {
  it("loads a kubeconfig file", () => {
    const kc = loadKubeConfig(kubeconfigFile("https://127.0.0.1:6443"), {});
    expect(kc.getCurrentCluster()?.server).toBe("https://127.0.0.1:6443");
  });

  it("reads ~/.kube/config of the given HOME when KUBECONFIG is unset", () => {
    const home = mkdtempSync(join(tmpdir(), "home-"));
    mkdirSync(join(home, ".kube"));
    renameSync(kubeconfigFile("https://10.1.2.3:6443"), join(home, ".kube", "config"));
    const kc = loadKubeConfig(undefined, { HOME: home });
    expect(kc.getCurrentCluster()?.server).toBe("https://10.1.2.3:6443");
  });

  it("refuses the silent localhost:8080 fallback", () => {
    expect(() => loadKubeConfig(undefined, { HOME: "/nonexistent", KUBECONFIG: "" })).toThrow(
      /no Kubernetes configuration found/,
    );
  });
});

describe("reuseConnections", () => {
  type Factory = (cluster: unknown, options: Record<string, unknown>) => unknown;
  const factoryOf = (kc: KubeConfig) =>
    (kc as unknown as { createDispatcher: Factory }).createDispatcher;

  it("returns one dispatcher per TLS identity instead of one per request", () => {
    const kc = new KubeConfig();
    reuseConnections(kc);
    const create = factoryOf(kc);
    const cluster = { server: "https://127.0.0.1:6443" };
    const first = create(cluster, { ca: Buffer.from("ca"), rejectUnauthorized: true });
    const second = create(cluster, { ca: Buffer.from("ca"), rejectUnauthorized: true });
    const rotated = create(cluster, { ca: Buffer.from("new-ca"), rejectUnauthorized: true });
    expect(first).toBeDefined();
    expect(second).toBe(first);
    expect(rotated).not.toBe(first);
  });
});
