// Push receivers in e2e: the receiver Secret (one key per receiver, in the
// namespace an operator without POD_NAMESPACE reads), and an operator whose
// HTTPS server listens where the plain registry notifies
// (REGISTRY_EVENTS_URL), with a certificate the user gives (a
// kubernetes.io/tls Secret, signed by the registry CA the registry trusts).

import { testEnv } from "./env.js";
import { type HttpsAnswer, httpsRequest } from "./https.js";
import { applyJson, kubectl } from "./kubectl.js";
import { type RunningOperator, startOperator } from "./operator.js";

export const RECEIVER_SECRET = "imagestream-operator-webhook";
export const RECEIVER_NAMESPACE = "imagestream-operator-system";
/** the serving certificate of the receivers' operator: the user's, not the self-managed one */
export const RECEIVER_TLS_SECRET = "e2e-push-receiver-tls";
const SERVICE_ACCOUNT = "imagestream-operator";

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

/**
 * The user's certificate as a kubernetes.io/tls Secret, and what a user
 * naming their own Secret grants (the chart does it for
 * serving.certificate.secretName): get on it by name.
 */
function applyReceiverTls(): void {
  const tls = testEnv.registryEventsTls;
  if (!tls) throw new Error("REGISTRY_EVENTS_CERT and REGISTRY_EVENTS_KEY are not set");
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const metadata = { name: RECEIVER_TLS_SECRET, namespace: RECEIVER_NAMESPACE };
  for (const object of [
    {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata,
      data: { "tls.crt": b64(tls.cert), "tls.key": b64(tls.key) },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata,
      rules: [
        {
          apiGroups: [""],
          resources: ["secrets"],
          resourceNames: [RECEIVER_TLS_SECRET],
          verbs: ["get"],
        },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: RECEIVER_TLS_SECRET },
      subjects: [{ kind: "ServiceAccount", name: SERVICE_ACCOUNT, namespace: RECEIVER_NAMESPACE }],
    },
  ]) {
    const applied = applyJson(object, "e2e-receivers", ["--force-conflicts"]);
    if (applied.status !== 0) throw new Error(`apply ${object.kind}: ${applied.stderr}`);
  }
}

/** Where the receivers listen: the plain registry's notification URL's origin (https). */
export function receiverBase(): string {
  return new URL(testEnv.registryEventsUrl ?? "https://127.0.0.1:0").origin;
}

/** A request to the receivers, verifying their certificate against the registry CA. */
export function toReceivers(
  path: string,
  options: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<HttpsAnswer> {
  return httpsRequest(`${receiverBase()}${path}`, {
    method: "POST",
    ...options,
    ca: testEnv.registryCa,
  });
}

/** An operator serving HTTPS (receivers included) at REGISTRY_EVENTS_URL; resolves once they answer. */
export async function startOperatorWithReceivers(
  extraArgs: string[] = [],
  keys: Record<string, string> = {},
): Promise<RunningOperator> {
  applyReceiverSecret(keys);
  applyReceiverTls();
  const { host } = new URL(receiverBase());
  const operator = await startOperator([
    "--serving-addr",
    host,
    "--serving-cert-managed=false",
    "--serving-cert-secret",
    RECEIVER_TLS_SECRET,
    ...extraArgs,
  ]);
  const deadline = Date.now() + 15_000;
  for (;;) {
    // 405 from the distribution receiver: served over TLS, and the Secret is read
    const res = await toReceivers("/hooks/distribution", { method: "GET" }).catch(() => undefined);
    if (res?.status === 405) return operator;
    if (Date.now() > deadline) throw new Error(`receivers not answering (last: ${res?.status})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Deletes what startOperatorWithReceivers created besides the receiver Secret. */
export function deleteReceiverTls(): void {
  for (const kind of ["rolebinding", "role", "secret"]) {
    kubectl(["-n", RECEIVER_NAMESPACE, "delete", kind, RECEIVER_TLS_SECRET, "--ignore-not-found"]);
  }
}
