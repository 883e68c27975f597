// Runnable test images for pods on the environment's node: a busybox-static
// rootfs with a marker file, packed with umoci and pushed with skopeo by
// hack/oci-image.sh (the tool that also builds the node's pause image). The
// container prints its marker, then waits; it exits at once on SIGTERM, so a
// rollout never waits out a grace period. Each marker gives its own digest.
// With { crashes: true } it prints its marker and exits 1: a release whose
// pods crash-loop (a rollout that really fails).
//
//   const image = pushTestImage(targets.plain, "e2e/app", "latest", "app v2");
//   image.reference  // 127.0.0.1:26410/e2e/app@sha256:...
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PushTarget } from "../../support/registry-push.js";
import { repoRoot } from "./kubectl.js";

/** Debian's busybox-static (installed by `hack/cluster.sh up` with the node). */
const BUSYBOX = "/bin/busybox";
export const MARKER_FILE = "/etc/test-image";
const WAITS = `trap 'exit 0' TERM; while :; do /bin/busybox sleep 3600 & wait $!; done`;

function entrypoint(crashes: boolean): string[] {
  return ["/bin/busybox", "sh", "-c", `cat ${MARKER_FILE}; ${crashes ? "exit 1" : WAITS}`];
}

export interface TestImageOptions {
  /** the entrypoint exits 1 after printing its marker, instead of waiting */
  crashes?: boolean;
}

export interface TestImage {
  /** the manifest digest as pushed */
  digest: string;
  /** registry/repository@digest */
  reference: string;
}

/** skopeo's options for writing to target, with the files they name put in dir. */
function skopeoDestination(target: PushTarget, dir: string): string[] {
  if (target.scheme === "http") return ["--dest-tls-verify=false"];
  const options: string[] = [];
  if (target.ca) {
    mkdirSync(join(dir, "certs"));
    writeFileSync(join(dir, "certs", "ca.crt"), target.ca);
    options.push(`--dest-cert-dir=${join(dir, "certs")}`);
  }
  if (target.username !== undefined) {
    // an auth file, not --dest-creds: the password stays off command lines
    const auth = Buffer.from(`${target.username}:${target.password ?? ""}`).toString("base64");
    writeFileSync(
      join(dir, "auth.json"),
      JSON.stringify({ auths: { [target.registry]: { auth } } }),
      {
        mode: 0o600,
      },
    );
    options.push(`--dest-authfile=${join(dir, "auth.json")}`);
  }
  return options;
}

/** Builds the image for marker and pushes it to target as repository:tag. */
export function pushTestImage(
  target: PushTarget,
  repository: string,
  tag: string,
  marker: string,
  options: TestImageOptions = {},
): TestImage {
  const dir = mkdtempSync(join(tmpdir(), "iso-test-image-"));
  try {
    const rootfs = join(dir, "rootfs");
    mkdirSync(join(rootfs, "bin"), { recursive: true });
    mkdirSync(join(rootfs, "etc"));
    copyFileSync(BUSYBOX, join(rootfs, "bin/busybox"));
    chmodSync(join(rootfs, "bin/busybox"), 0o755);
    writeFileSync(join(rootfs, MARKER_FILE), `${marker}\n`, { mode: 0o644 });
    const digest = execFileSync(
      join(repoRoot, "hack/oci-image.sh"),
      [
        rootfs,
        `docker://${target.registry}/${repository}:${tag}`,
        ...entrypoint(options.crashes ?? false).map((arg) => `--config.entrypoint=${arg}`),
        "--config.user=65534:65534",
        "--",
        ...skopeoDestination(target, dir),
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 },
    ).trim();
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
      throw new Error(`hack/oci-image.sh printed no digest: ${JSON.stringify(digest)}`);
    }
    return { digest, reference: `${target.registry}/${repository}@${digest}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
