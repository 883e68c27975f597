// Push receivers in e2e: the receiver Secret (one key per receiver, in the
// namespace an operator without POD_NAMESPACE reads) and an operator started
// with its receivers on the address the plain registry notifies.

import { testEnv } from "./env.js";
import { applyJson } from "./kubectl.js";
import { type RunningOperator, startOperator } from "./operator.js";

export const RECEIVER_SECRET = "imagestream-operator-webhook";
export const RECEIVER_NAMESPACE = "imagestream-operator-system";

/** Server-side applies the receiver Secret with these keys (the registry's own key always included). */
export function applyReceiverSecret(keys: Record<string, string> = {}): void {
  applyJson(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: RECEIVER_SECRET, namespace: RECEIVER_NAMESPACE },
      stringData: { distribution: testEnv.registryEventsSecret, ...keys },
    },
    "e2e-receivers",
    ["--force-conflicts"],
  );
}

/** Where the receivers listen: the plain registry's notification URL's host and port. */
export function receiverBase(): string {
  const { hostname, port } = new URL(testEnv.registryEventsUrl ?? "http://127.0.0.1:0");
  return `http://${hostname}:${port}`;
}

/** An operator with its receivers on; resolves once they answer. */
export async function startOperatorWithReceivers(
  extraArgs: string[] = [],
  keys: Record<string, string> = {},
): Promise<RunningOperator> {
  applyReceiverSecret(keys);
  const { host } = new URL(receiverBase());
  const operator = await startOperator(["--webhook-addr", host, ...extraArgs]);
  const deadline = Date.now() + 15_000;
  for (;;) {
    // 405 from the distribution receiver: listening, and the Secret is read
    const res = await fetch(`${receiverBase()}/hooks/distribution`).catch(() => undefined);
    if (res?.status === 405) return operator;
    if (Date.now() > deadline) throw new Error(`receivers not answering (last: ${res?.status})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
