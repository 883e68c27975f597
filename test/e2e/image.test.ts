// The operator's image as `make image` builds it (hack/image/build.sh, ADR
// 0029), pushed to the test registry and pulled back from it, runs: its
// rootfs, unpacked by umoci, runs the image's entrypoint under the image's
// user and environment with nothing of this machine's filesystem visible
// (unshare --root), so only the image's own Node and libraries can serve.
// Needs no node (kubelet); needs root, as `make test` has (chroot).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTestEnv } from "./support/env.js";
import { repoRoot } from "./support/kubectl.js";
import { buildOperatorImage, runOk } from "./support/publish.js";

const env = readTestEnv();
const definition = JSON.parse(readFileSync(join(repoRoot, "hack/image/image.json"), "utf8")) as {
  node: { version: string };
  user: { uid: number; gid: number };
  env: Record<string, string>;
  entrypoint: string[];
  workingDir: string;
};
const TAG = "e2e";

const run = (command: string, args: string[]) => runOk(command, args, { timeoutMs: 600_000 });

interface RuntimeSpec {
  process: { args: string[]; env: string[]; cwd: string; user: { uid: number; gid: number } };
}

describe("the operator's image", () => {
  const work = mkdtempSync(join(tmpdir(), "iso-image-"));
  const rootfs = join(work, "bundle/rootfs");
  let reference = "";
  let spec: RuntimeSpec;
  let manifest: { layers: { size: number }[]; config: { size: number } };

  beforeAll(() => {
    expect(process.getuid?.(), "this test chroots: run it as root (make test does)").toBe(0);
    // what `make image` runs, against the test registry
    reference = buildOperatorImage(TAG);
    // the pushed form, not the local layout: pulled back, then unpacked
    run("skopeo", [
      ...["copy", "--quiet", "--src-tls-verify=false"],
      ...[`docker://${reference}`, `oci:${work}/layout:${TAG}`],
    ]);
    run("umoci", ["unpack", "--image", `${work}/layout:${TAG}`, join(work, "bundle")]);
    spec = JSON.parse(readFileSync(join(work, "bundle/config.json"), "utf8"));
    manifest = JSON.parse(
      run("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${reference}`]),
    );
  }, 1_500_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("was pushed by digest to the registry", () => {
    expect(reference).toMatch(
      new RegExp(`^${env.registry}/imagestream-operator@sha256:[a-f0-9]{64}$`),
    );
  });

  it("is under 80 MiB compressed, in two layers (runtime, operator)", () => {
    const size = manifest.config.size + manifest.layers.reduce((sum, l) => sum + l.size, 0);
    console.log(`image ${reference}: ${(size / 1048576).toFixed(1)} MiB compressed`);
    expect(size).toBeLessThan(80 * 1048576);
    expect(manifest.layers).toHaveLength(2);
  });

  it("runs as the definition's numeric non-root user, with its environment and entrypoint", () => {
    expect(spec.process.user.uid).toBe(definition.user.uid);
    expect(spec.process.user.uid).not.toBe(0);
    expect(spec.process.user.gid).toBe(definition.user.gid);
    for (const [name, value] of Object.entries(definition.env)) {
      expect(spec.process.env).toContain(`${name}=${value}`);
    }
    expect(spec.process.args).toEqual(definition.entrypoint);
    expect(spec.process.cwd).toBe(definition.workingDir);
  });

  it("has no shell and nothing but Node, its libraries, /etc, licences and the operator", () => {
    for (const shell of ["bin/sh", "bin/bash", "usr/bin/sh", "usr/bin/bash", "bin/busybox"]) {
      expect(existsSync(join(rootfs, shell)), shell).toBe(false);
    }
    expect(readdirSync(rootfs).sort()).toEqual(["app", "etc", "lib", "lib64", "tmp", "usr"]);
    expect(readdirSync(join(rootfs, "usr/local/bin"))).toEqual(["node"]);
    expect(readdirSync(join(rootfs, "app/dist")).sort()).toEqual(["main.js", "main.js.map"]);
  });

  /** Runs a command inside the rootfs as the image's user, with the image's environment only. */
  function inImage(args: string[]) {
    const { uid, gid } = spec.process.user;
    return spawnSync(
      "unshare",
      [
        ...["--root", rootfs, "--wd", spec.process.cwd],
        ...["--setgid", String(gid), "--setuid", String(uid)],
        ...args,
      ],
      {
        encoding: "utf8",
        timeout: 60_000,
        env: Object.fromEntries(spec.process.env.map((e) => e.split(/=(.*)/s).slice(0, 2))),
      },
    );
  }

  it("runs its entrypoint (--help) on the image's own Node and libraries", () => {
    const help = inImage([...spec.process.args, "--help"]);
    expect(help.stderr).toBe("");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--kubeconfig");
    expect(help.stdout).toContain("--leader-elect");
  });

  it("has the definition's Node, running as that user (Node accepts the NODE_OPTIONS)", () => {
    const [node] = spec.process.args as [string];
    const version = inImage([node, "--version"]);
    expect(version.stdout.trim()).toBe(`v${definition.node.version}`);
    // Node refuses to start on a NODE_OPTIONS entry it does not allow there
    const probe = inImage([node, "-p", "JSON.stringify([process.getuid(), process.getgid()])"]);
    expect(probe.stderr).toBe("");
    expect(JSON.parse(probe.stdout)).toEqual([definition.user.uid, definition.user.gid]);
  });
});
