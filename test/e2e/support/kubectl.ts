// kubectl from PATH against the e2e environment's admin kubeconfig, for tests
// that must exercise what a user's kubectl does (server-side apply, field
// managers, the status subresource) rather than the client library.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { testEnv } from "./env.js";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export interface KubectlResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function kubectl(args: string[], input?: string): KubectlResult {
  const run = spawnSync("kubectl", args, {
    input,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, KUBECONFIG: testEnv.kubeconfig },
  });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

export function kubectlOk(args: string[], input?: string): string {
  const result = kubectl(args, input);
  if (result.status !== 0) {
    throw new Error(`kubectl ${args.join(" ")} failed: ${result.stderr || result.stdout}`);
  }
  return result.stdout;
}

/** Server-side apply of one object (sent as JSON, which is exact). */
export function applyJson(object: object, fieldManager: string, extraArgs: string[] = []) {
  return kubectl(
    ["apply", "--server-side", `--field-manager=${fieldManager}`, ...extraArgs, "-f", "-"],
    JSON.stringify(object),
  );
}

/**
 * Applies this checkout's CRDs (the environment may hold older ones) and
 * waits until they serve.
 */
export function installCrds(): void {
  kubectlOk([
    "apply",
    "--server-side",
    "--force-conflicts",
    "--field-manager=imagestream-e2e",
    "-f",
    `${repoRoot}config/crd`,
  ]);
  kubectlOk([
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    "crd/imagestreams.image.openshift.io",
    "crd/images.image.openshift.io",
  ]);
}
