// The real registries of the test environment (hack/cluster.sh up exports
// these). Missing variables fail the run at once, naming each one, instead of
// letting tests time out against nothing.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { PushTarget } from "../support/registry-push.js";

const REQUIRED = [
  "REGISTRY",
  "REGISTRY_TLS",
  "REGISTRY_BASIC",
  "REGISTRY_TOKEN",
  "REGISTRY_CA",
  "REGISTRY_USER",
  "REGISTRY_PASSWORD",
  "REGISTRY_IDENTITY_TOKEN",
] as const;

export interface RegistryEnv {
  /** plain HTTP host:port */
  plain: string;
  /** HTTPS host:port signed by ca */
  tls: string;
  /** HTTPS + htpasswd basic auth */
  basic: string;
  /** HTTPS + bearer tokens */
  token: string;
  ca: string;
  username: string;
  password: string;
  /** the refresh token (a pull secret's identitytoken) the token registry's service accepts */
  identityToken: string;
}

export function readRegistryEnv(env: NodeJS.ProcessEnv = process.env): RegistryEnv {
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `integration environment incomplete: ${missing.join(", ")} not set; run eval "$(hack/cluster.sh up)"`,
    );
  }
  const value = (name: (typeof REQUIRED)[number]) => env[name] as string;
  return {
    plain: value("REGISTRY"),
    tls: value("REGISTRY_TLS"),
    basic: value("REGISTRY_BASIC"),
    token: value("REGISTRY_TOKEN"),
    ca: readFileSync(value("REGISTRY_CA"), "utf8"),
    username: value("REGISTRY_USER"),
    password: value("REGISTRY_PASSWORD"),
    identityToken: value("REGISTRY_IDENTITY_TOKEN"),
  };
}

export function pushTargets(
  env: RegistryEnv,
): Record<"plain" | "tls" | "basic" | "token", PushTarget> {
  const credentials = { username: env.username, password: env.password };
  return {
    plain: { registry: env.plain, scheme: "http" },
    tls: { registry: env.tls, ca: env.ca },
    basic: { registry: env.basic, ca: env.ca, ...credentials },
    token: { registry: env.token, ca: env.ca, ...credentials },
  };
}

/** A repository name no other run uses, so tests never see each other's tags. */
export function uniqueRepository(prefix: string): string {
  return `it/${prefix}-${randomBytes(4).toString("hex")}`;
}
