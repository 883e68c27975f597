// Runs the kubectl plugin (dist/cli/main.js) as a child process, the way a
// user's shell would, with the admin kubeconfig.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { testEnv } from "./env.js";
import { repoRoot } from "./kubectl.js";

const run = promisify(execFile);
export const CLI_MAIN = join(repoRoot, "dist/cli/main.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function exec(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  const options = {
    env: { ...process.env, KUBECONFIG: testEnv.kubeconfig, ...env },
    timeout: 120_000,
  };
  try {
    const { stdout, stderr } = await run(file, args, options);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw error;
    return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

export function cli(...args: string[]): Promise<CliResult> {
  return exec(join(repoRoot, "hack/node"), [CLI_MAIN, ...args]);
}
