// Runs the real operator (dist/main.js, built by `npm run build`) as a
// separate process with the ServiceAccount kubeconfig: never as admin, so a
// missing RBAC rule fails the test as it would fail in a user's cluster.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readTestEnv } from "./env.js";

const ROOT = resolve(import.meta.dirname, "../../..");
// what the image sets (hack/image/image.json): e2e runs the operator as its image does,
// with its NODE_OPTIONS and the Node flags of its entrypoint (node FLAGS... main.js)
const IMAGE = JSON.parse(readFileSync(join(ROOT, "hack/image/image.json"), "utf8"));
const SHIPPED_NODE_OPTIONS: string = IMAGE.env.NODE_OPTIONS;
const SHIPPED_NODE_FLAGS: string[] = IMAGE.entrypoint.slice(1, -1);

export interface RunningOperator {
  process: ChildProcess;
  metricsUrl: string;
  /** port of the HTTPS server (image views) on 127.0.0.1, unless extraArgs set --serving-addr */
  servingPort: number;
  /** everything the operator logged (JSON lines) */
  logs: () => string;
  /** the value of a metric line (name with labels, exactly as exposed), or 0 */
  metric: (series: string) => Promise<number>;
  stop: () => Promise<number | null>;
  /** sends `signal` and returns at once; `exited` resolves with the exit code (null if killed) */
  kill: (signal: NodeJS.Signals) => void;
  exited: Promise<number | null>;
}

export interface OperatorOptions {
  /** run leader election (the Lease name goes in extraArgs: --leader-election-id) */
  leaderElect?: boolean;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once("error", rej);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => res(port));
    });
  });
}

/**
 * Starts the operator with the test registries' CA; extra flags are appended.
 * Election is off unless options.leaderElect: a standby is ready (waiting) too.
 */
export async function startOperator(
  extraArgs: string[] = [],
  extraEnv: Record<string, string> = {},
  options: OperatorOptions = {},
): Promise<RunningOperator> {
  const env = readTestEnv();
  const main = join(ROOT, "dist/main.js");
  if (!existsSync(main)) throw new Error(`${main} missing: run \`make build\` first`);
  const caFile = join(tmpdir(), `iso-e2e-ca-${process.pid}.pem`);
  writeFileSync(caFile, env.registryCa);
  const port = await freePort();
  // every operator serves HTTPS (ADR 0022): on a port of its own, so that
  // two replicas in one test do not collide on the default :8443
  const servingPort = await freePort();
  const serving = extraArgs.includes("--serving-addr")
    ? []
    : ["--serving-addr", `127.0.0.1:${servingPort}`];
  const child = spawn(
    join(ROOT, "hack/node"),
    [
      ...SHIPPED_NODE_FLAGS,
      main,
      "--kubeconfig",
      env.operatorKubeconfig,
      "--ca-bundle",
      caFile,
      "--metrics-addr",
      `127.0.0.1:${port}`,
      "--leader-elect",
      String(options.leaderElect ?? false),
      "--log-level",
      process.env.ISO_E2E_LOG_LEVEL ?? "debug",
      ...serving,
      ...extraArgs,
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, KUBECONFIG: "", NODE_OPTIONS: SHIPPED_NODE_OPTIONS, ...extraEnv },
    },
  );
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  const metricsUrl = `http://127.0.0.1:${port}/metrics`;
  await waitReady(`http://127.0.0.1:${port}/readyz`, child, () => output);
  return {
    process: child,
    metricsUrl,
    servingPort,
    logs: () => output,
    metric: async (series) => {
      const text = await (await fetch(metricsUrl)).text();
      const line = text.split("\n").find((l) => l.startsWith(`${series} `));
      return line ? Number(line.slice(series.length + 1)) : 0;
    },
    stop: () => stopProcess(child),
    kill: (signal) => child.kill(signal),
    exited,
  };
}

async function waitReady(url: string, child: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`operator exited with ${child.exitCode}:\n${logs().slice(-4000)}`);
    }
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`operator not ready after 60s:\n${logs().slice(-4000)}`);
}

function stopProcess(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((res) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("exit", (code) => {
      clearTimeout(kill);
      res(code);
    });
    child.kill("SIGTERM");
  });
}
