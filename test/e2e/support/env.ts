// The test environment an e2e run talks to, from the variables that
// `hack/cluster.sh up` (or hack/kind.sh, or whoever provides a cluster)
// exports. Importing this module fails at once, naming every missing
// variable, rather than letting a test time out against nothing.
import { readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";

const REQUIRED = [
  "KUBECONFIG",
  "OPERATOR_KUBECONFIG",
  "REGISTRY",
  "REGISTRY_TLS",
  "REGISTRY_BASIC",
  "REGISTRY_TOKEN",
  "REGISTRY_CA",
  "REGISTRY_USER",
  "REGISTRY_PASSWORD",
  "REGISTRY_IDENTITY_TOKEN",
  "REGISTRY_EVENTS_SECRET",
] as const;

type RequiredName = (typeof REQUIRED)[number];

export interface TestEnv {
  /** admin kubeconfig path */
  kubeconfig: string;
  /** kubeconfig of the operator's ServiceAccount (not admin) */
  operatorKubeconfig: string;
  /** host:port of the plain-HTTP registry, which sends push notifications */
  registry: string;
  /** host:port of the HTTPS registry signed by registryCa */
  registryTls: string;
  /** host:port of the HTTPS registry with basic auth */
  registryBasic: string;
  /** host:port of the HTTPS registry with bearer-token auth */
  registryToken: string;
  /** PEM of the CA that signed every TLS registry's certificate */
  registryCa: string;
  registryUser: string;
  registryPassword: string;
  /** the refresh token (a pull secret's identitytoken) registryToken's token service accepts */
  registryIdentityToken: string;
  /** the Authorization bearer secret the plain registry sends with notifications */
  registryEventsSecret: string;
  /** where the plain registry posts notifications (https), when the environment says */
  registryEventsUrl: string | undefined;
  /**
   * PEM certificate and key (signed by registryCa) for the operator's
   * receivers at registryEventsUrl, which the plain registry verifies
   */
  registryEventsTls: { cert: string; key: string } | undefined;
}

export function readTestEnv(env: NodeJS.ProcessEnv = process.env): TestEnv {
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `e2e environment incomplete: ${missing.join(", ")} not set. ` +
        'Run `eval "$(make -s cluster)"` (or hack/cluster.sh up) first, or use `make e2e`; ' +
        "see docs/testing.md for running against another cluster.",
    );
  }
  const value = (name: RequiredName): string => env[name] as string;
  let registryCa: string;
  try {
    registryCa = readFileSync(value("REGISTRY_CA"), "utf8");
  } catch (error) {
    throw new Error(`REGISTRY_CA=${value("REGISTRY_CA")} is not readable: ${String(error)}`);
  }
  return {
    kubeconfig: value("KUBECONFIG"),
    operatorKubeconfig: value("OPERATOR_KUBECONFIG"),
    registry: value("REGISTRY"),
    registryTls: value("REGISTRY_TLS"),
    registryBasic: value("REGISTRY_BASIC"),
    registryToken: value("REGISTRY_TOKEN"),
    registryCa,
    registryUser: value("REGISTRY_USER"),
    registryPassword: value("REGISTRY_PASSWORD"),
    registryIdentityToken: value("REGISTRY_IDENTITY_TOKEN"),
    registryEventsSecret: value("REGISTRY_EVENTS_SECRET"),
    registryEventsUrl: env.REGISTRY_EVENTS_URL || undefined,
    registryEventsTls: readPair(env.REGISTRY_EVENTS_CERT, env.REGISTRY_EVENTS_KEY),
  };
}

function readPair(certFile: string | undefined, keyFile: string | undefined) {
  if (!certFile || !keyFile) return undefined;
  return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
}

// KUBECONFIG may list several files, as kubectl allows: read it the same way.
function loadAdminKubeConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromDefault();
  return config;
}

function loadKubeConfig(path: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(path);
  return config;
}

export const testEnv: TestEnv = readTestEnv();
/** Full access: for setting up and inspecting what a test needs. */
export const adminKubeConfig: KubeConfig = loadAdminKubeConfig();
/** What the operator under test runs with: its ServiceAccount's RBAC only. */
export const operatorKubeConfig: KubeConfig = loadKubeConfig(testEnv.operatorKubeconfig);
