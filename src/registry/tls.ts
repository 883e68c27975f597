// Which certificate authorities a registry host is verified against: Node's
// bundled roots, the operating system's store, an optional extra CA for all
// registries and an optional bundle for one host. Only `insecure` turns
// verification off.

import tls, { type SecureContext } from "node:tls";
import type { TlsSettings } from "./transport.js";

export interface TlsOptions {
  /** PEM bundles keyed by "host:port" or "host" */
  caBundles?: Record<string, string>;
  /** PEM added to the trust store of every registry */
  extraCa?: string;
}

function baseAuthorities(): string[] {
  const bundled = tls.getCACertificates("default");
  let system: string[] = [];
  try {
    system = tls.getCACertificates("system");
  } catch {
    // a missing or unreadable system store leaves Node's bundled roots
  }
  return [...new Set([...bundled, ...system])];
}

export class TlsContexts {
  private readonly contexts = new Map<string, SecureContext>();
  private base: string[] | undefined;

  constructor(private readonly options: TlsOptions = {}) {}

  settingsFor(hostWithPort: string, insecure: boolean): TlsSettings {
    if (insecure) return { rejectUnauthorized: false };
    return { rejectUnauthorized: true, secureContext: this.contextFor(hostWithPort) };
  }

  private bundleFor(hostWithPort: string): string | undefined {
    const bundles = this.options.caBundles ?? {};
    const hostOnly = hostWithPort.replace(/:[0-9]+$/, "");
    return bundles[hostWithPort] ?? bundles[hostOnly];
  }

  private contextFor(hostWithPort: string): SecureContext {
    const bundle = this.bundleFor(hostWithPort);
    const key = bundle === undefined ? "" : hostWithPort;
    let context = this.contexts.get(key);
    if (!context) {
      this.base ??= baseAuthorities();
      const extra = [this.options.extraCa, bundle].filter((pem): pem is string => Boolean(pem));
      context = tls.createSecureContext({ ca: [...this.base, ...extra] });
      this.contexts.set(key, context);
    }
    return context;
  }
}
