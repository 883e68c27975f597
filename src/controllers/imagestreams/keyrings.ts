// Pull-secret keyrings per namespace, built from the Secret informers' caches
// and rebuilt only after a Secret of that namespace changes. Only Secrets of
// the stream's own namespace are ever used.
import type { V1Secret } from "@kubernetes/client-node";
import type { Logger } from "../../observability/logger.js";
import { Keyring } from "../../registry/keyring.js";

export class NamespaceKeyrings {
  private readonly cache = new Map<string, Keyring>();

  constructor(
    private readonly secretsIn: (namespace: string) => V1Secret[],
    private readonly log: Logger,
  ) {}

  get(namespace: string): Keyring {
    let keyring = this.cache.get(namespace);
    if (!keyring) {
      const built = Keyring.fromSecrets(this.secretsIn(namespace));
      for (const warning of built.warnings) this.log.warn({ namespace }, warning);
      keyring = built.keyring;
      this.cache.set(namespace, keyring);
    }
    return keyring;
  }

  invalidate(namespace: string): void {
    this.cache.delete(namespace);
  }
}
