// The image views' APIService on the test control plane: an ExternalName
// Service naming localhost (kube-aggregator resolves it to
// https://localhost:<port>), so the aggregator reaches an operator listening
// on loopback. Also what a client sees of the operator's certificate.
import { X509Certificate } from "node:crypto";
import { connect } from "node:tls";
import { kubectl, kubectlOk } from "./kubectl.js";

export const VIEWS_GROUP = "image.imagestream-operator.io";
export const APISERVICE = `v1.${VIEWS_GROUP}`;
export const OPERATOR_NS = "imagestream-operator-system";
const SERVICE = "imagestream-operator";

/** Points the APIService at an operator serving on 127.0.0.1:port (caBundle as given, or kept). */
export function registerApiService(port: number, caBundle?: string): void {
  const apiService = {
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    metadata: { name: APISERVICE },
    spec: {
      group: VIEWS_GROUP,
      version: "v1",
      groupPriorityMinimum: 1000,
      versionPriority: 15,
      service: { name: SERVICE, namespace: OPERATOR_NS, port },
      ...(caBundle ? { caBundle } : {}),
    },
  };
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: SERVICE, namespace: OPERATOR_NS },
    spec: { type: "ExternalName", externalName: "localhost" },
  };
  const list = { apiVersion: "v1", kind: "List", items: [service, apiService] };
  kubectlOk(
    ["apply", "--server-side", "--force-conflicts", "--field-manager=e2e", "-f", "-"],
    JSON.stringify(list),
  );
}

/** An APIService nobody answers blocks namespace deletion for the test files after. */
export function unregisterApiService(): void {
  kubectl(["delete", "apiservice", APISERVICE, "--ignore-not-found"]);
}

export function apiServiceAvailable(): boolean {
  const jsonpath = 'jsonpath={.status.conditions[?(@.type=="Available")].status}';
  return kubectl(["get", "apiservice", APISERVICE, "-o", jsonpath]).stdout === "True";
}

export function apiServiceCaBundle(): string {
  return kubectlOk(["get", "apiservice", APISERVICE, "-o", "jsonpath={.spec.caBundle}"]);
}

/** A key of a Secret in the operator's namespace, decoded. */
export function secretValue(name: string, key: string): string {
  const escaped = key.replaceAll(".", "\\.");
  const b64 = kubectlOk([
    "get",
    "secret",
    name,
    "-n",
    OPERATOR_NS,
    "-o",
    `jsonpath={.data.${escaped}}`,
  ]);
  return Buffer.from(b64, "base64").toString();
}

/** SHA-256 fingerprint of the certificate a server on 127.0.0.1:port presents. */
export function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.on("error", reject);
  });
}

export function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}
