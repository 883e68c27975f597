// Shared set-up of the client tests: a fake registry plus a client, and a way
// to capture the ImportError an import ends in.

import { HttpRegistryClient } from "../client.js";
import type { RegistryClientOptions } from "../options.js";
import { ImportError, type ImportRequest } from "../types.js";
import { FakeRegistry } from "./fake-registry.js";

export interface Harness {
  fake: FakeRegistry;
  client: HttpRegistryClient;
  close(): Promise<void>;
}

/** No rate limit: these tests are about the protocol (throttle.test.ts covers the budgets). */
export const UNLIMITED_RATE = { default: { perSecond: 0, burst: 1 }, hosts: {} };

export async function startHarness(options: RegistryClientOptions = {}): Promise<Harness> {
  const fake = await FakeRegistry.start();
  const client = new HttpRegistryClient({
    requestTimeoutMs: 2000,
    rateLimits: UNLIMITED_RATE,
    ...options,
  });
  return {
    fake,
    client,
    async close() {
      client.close();
      await fake.close();
    },
  };
}

export function request(reference: string, overrides: Partial<ImportRequest> = {}): ImportRequest {
  return {
    reference,
    insecure: true,
    importMode: "Legacy",
    preferredPlatforms: [],
    credentials: [],
    ...overrides,
  };
}

/** The ImportError a promise rejects with; fails the test on success or any other error. */
export async function importErrorOf(promise: Promise<unknown>): Promise<ImportError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw new Error(`expected an ImportError, got ${String(error)}`);
  }
  throw new Error("expected an ImportError, but the call succeeded");
}
