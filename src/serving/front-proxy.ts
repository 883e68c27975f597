// Front-proxy authentication, as every aggregated API server does it: the
// API server's aggregator calls us with its proxy client certificate and the
// user in request headers; kube-apiserver publishes how to check that in
// ConfigMap kube-system/extension-apiserver-authentication. Headers count only
// on a connection whose client certificate chains to requestheader-client-ca-file
// (checked by TLS against that CA alone) and whose CN is an allowed name.

import type { X509Certificate } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Authenticator, UserInfo } from "./server.js";
import { peerCertificate } from "./server.js";

export const AUTHENTICATION_CONFIGMAP = {
  namespace: "kube-system",
  name: "extension-apiserver-authentication",
};

export interface RequestHeaderConfig {
  clientCa: string;
  allowedNames: string[];
  usernameHeaders: string[];
  groupHeaders: string[];
  extraPrefixes: string[];
  /** requestheader-uid-headers (Kubernetes 1.32+); empty before */
  uidHeaders: string[];
}

/** Reads the ConfigMap's data; undefined when front-proxy authentication is not configured. */
export function requestHeaderConfig(
  data: Record<string, string> | undefined,
): RequestHeaderConfig | undefined {
  const clientCa = data?.["requestheader-client-ca-file"];
  if (!clientCa) return undefined;
  const list = (key: string) => {
    const raw = data?.[key];
    if (!raw) return [];
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  };
  return {
    clientCa,
    allowedNames: list("requestheader-allowed-names"),
    usernameHeaders: list("requestheader-username-headers").map(lower),
    groupHeaders: list("requestheader-group-headers").map(lower),
    extraPrefixes: list("requestheader-extra-headers-prefix").map(lower),
    uidHeaders: list("requestheader-uid-headers").map(lower),
  };
}

const lower = (s: string) => s.toLowerCase();

/** The identity in the headers of a request whose certificate was accepted. */
export function userFromHeaders(
  headers: IncomingMessage["headers"],
  config: RequestHeaderConfig,
): UserInfo | undefined {
  const values = (name: string): string[] => {
    const v = headers[name];
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(",")).map((s) => s.trim());
  };
  const username = config.usernameHeaders.map((h) => values(h)[0]).find((u) => u);
  if (!username) return undefined;
  const groups = config.groupHeaders.flatMap(values).filter(Boolean);
  const extra: Record<string, string[]> = {};
  for (const [name, v] of Object.entries(headers)) {
    const prefix = config.extraPrefixes.find((p) => name.startsWith(p));
    if (!prefix || v === undefined) continue;
    // keys are percent-encoded by the aggregator (k8s.io/apiserver requestheader)
    const key = decodeURIComponent(name.slice(prefix.length));
    extra[key] = [...(extra[key] ?? []), ...values(name)];
  }
  const uid = config.uidHeaders.map((h) => values(h)[0]).find((u) => u);
  return { username, groups, extra, ...(uid ? { uid } : {}) };
}

/** Why a client certificate may not speak for users, or undefined if it may. */
export function certificateRefusal(
  peer: { authorized: boolean; cert: X509Certificate | undefined },
  config: RequestHeaderConfig,
): string | undefined {
  if (!peer.cert) return "no client certificate";
  if (!peer.authorized) return "client certificate not signed by the requestheader CA";
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(peer.cert.subject)?.[1] ?? "";
  if (config.allowedNames.length > 0 && !config.allowedNames.includes(cn))
    return `client certificate CN "${cn}" is not an allowed requestheader name`;
  return undefined;
}

/** An Authenticator over the latest ConfigMap contents (kept fresh by the caller). */
export class FrontProxyAuthenticator implements Authenticator {
  private config: RequestHeaderConfig | undefined;

  /** returns true when the client CA changed (the TLS context must be rebuilt) */
  update(config: RequestHeaderConfig | undefined): boolean {
    const changed = config?.clientCa !== this.config?.clientCa;
    this.config = config;
    return changed;
  }

  clientCa(): string | undefined {
    return this.config?.clientCa;
  }

  authenticate(req: IncomingMessage): UserInfo | { error: string } {
    const config = this.config;
    if (!config) return { error: "front-proxy authentication not configured on the API server" };
    const refusal = certificateRefusal(peerCertificate(req), config);
    if (refusal) return { error: refusal };
    return userFromHeaders(req.headers, config) ?? { error: "no user in the request headers" };
  }
}
