// Keeps the serving certificate (ADR 0022). Every replica reads the Secret
// and serves what it holds; only the leader writes: it creates or renews the
// self-managed CA and certificate (planCertificates) and writes the CA bundle
// into the APIService and the MutatingWebhookConfiguration when they exist.
// With a Secret the user provides (cert-manager), nothing is written: the
// chart has cert-manager's CA injector fill the caBundle fields.
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Secret,
} from "@kubernetes/client-node";
import { isNotFound } from "../controllers/kube-errors.js";
import type { Logger } from "../observability/logger.js";
import { errorSummary } from "../observability/logger.js";
import { applyPlan, type KeyPair, planCertificates, type ServingMaterial } from "./certificates.js";

export interface ServingNames {
  commonName: string;
  dnsNames: string[];
  ipAddresses: string[];
}

export interface CertificateKeeperOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  secretName: string;
  /** false: the Secret is the user's (cert-manager); read only */
  managed: boolean;
  names: ServingNames;
  isLeader: () => boolean;
  /** APIService name, e.g. v1.image.imagestream-operator.io */
  apiService?: string;
  /** MutatingWebhookConfiguration name */
  webhookConfiguration?: string;
  onKeyPair: (pair: KeyPair) => Promise<void>;
  log: Logger;
  now?: () => Date;
}

const jsonPatch = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);
const b64 = (s: string) => Buffer.from(s).toString("base64");
const unb64 = (s: string | undefined) =>
  s === undefined ? undefined : Buffer.from(s, "base64").toString();

export function materialFromSecret(secret: V1Secret | undefined): Partial<ServingMaterial> {
  const d = secret?.data ?? {};
  const pair = (cert?: string, key?: string): KeyPair | undefined => {
    const c = unb64(cert);
    const k = unb64(key);
    return c && k ? { cert: c, key: k } : undefined;
  };
  const serving = pair(d["tls.crt"], d["tls.key"]);
  const ca = pair(d["ca.crt"], d["ca.key"]);
  const caBundle = unb64(d["ca-bundle.crt"]) ?? unb64(d["ca.crt"]);
  return {
    ...(serving ? { serving } : {}),
    ...(ca ? { ca } : {}),
    ...(caBundle ? { caBundle } : {}),
  };
}

function secretData(m: ServingMaterial): Record<string, string> {
  return {
    "tls.crt": b64(m.serving.cert),
    "tls.key": b64(m.serving.key),
    "ca.crt": b64(m.ca.cert),
    "ca.key": b64(m.ca.key),
    "ca-bundle.crt": b64(m.caBundle),
  };
}

export class CertificateKeeper {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly admission: AdmissionregistrationV1Api;

  constructor(private readonly o: CertificateKeeperOptions) {
    this.core = o.kubeConfig.makeApiClient(CoreV1Api);
    this.custom = o.kubeConfig.makeApiClient(CustomObjectsApi);
    this.admission = o.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  }

  /** One pass: read, (leader) renew and publish, then serve. Errors are logged, not thrown. */
  async sync(): Promise<void> {
    try {
      let secret = await this.read();
      let material = materialFromSecret(secret);
      if (this.o.managed && this.o.isLeader()) {
        const written = await this.renew(secret, material);
        if (written) [secret, material] = [written, materialFromSecret(written)];
        if (material.caBundle) await this.publishCaBundle(material.caBundle);
      }
      if (material.serving) await this.o.onKeyPair(material.serving);
      // a standby waits for the leader to write it: expected for seconds
      else if (this.o.isLeader() || !this.o.managed)
        this.o.log.warn({ secret: this.secretRef() }, "no serving certificate yet");
      else
        this.o.log.debug(
          { secret: this.secretRef() },
          "waiting for the leader's serving certificate",
        );
    } catch (err) {
      this.o.log.warn(
        { secret: this.secretRef(), err: errorSummary(err) },
        "serving certificate sync failed",
      );
    }
  }

  private secretRef(): string {
    return `${this.o.namespace}/${this.o.secretName}`;
  }

  private async read(): Promise<V1Secret | undefined> {
    try {
      return await this.core.readNamespacedSecret({
        name: this.o.secretName,
        namespace: this.o.namespace,
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async renew(
    secret: V1Secret | undefined,
    material: Partial<ServingMaterial>,
  ): Promise<V1Secret | undefined> {
    const now = this.o.now?.() ?? new Date();
    const plan = planCertificates(material, this.o.names.dnsNames, now);
    if (plan.action === "keep") return undefined;
    const next = applyPlan(plan, material, this.o.names, now);
    const body: V1Secret = {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: {
        name: this.o.secretName,
        namespace: this.o.namespace,
        labels: { "app.kubernetes.io/name": "imagestream-operator" },
        ...(secret?.metadata?.resourceVersion
          ? { resourceVersion: secret.metadata.resourceVersion }
          : {}),
      },
      data: secretData(next),
    };
    const ns = this.o.namespace;
    // a replace carries the resourceVersion read: two leaders (never, but) cannot both win
    const written = secret
      ? await this.core.replaceNamespacedSecret({ name: this.o.secretName, namespace: ns, body })
      : await this.core.createNamespacedSecret({ namespace: ns, body });
    this.o.log.info(
      { secret: this.secretRef(), action: plan.action, reason: plan.reason },
      "serving certificate written",
    );
    return written;
  }

  private async publishCaBundle(bundle: string): Promise<void> {
    const caBundle = b64(bundle);
    if (this.o.apiService) await this.patchApiService(this.o.apiService, caBundle);
    if (this.o.webhookConfiguration)
      await this.patchWebhooks(this.o.webhookConfiguration, caBundle);
  }

  private async patchApiService(name: string, caBundle: string): Promise<void> {
    const g = { group: "apiregistration.k8s.io", version: "v1", plural: "apiservices", name };
    let current: { spec?: { caBundle?: string; insecureSkipTLSVerify?: boolean } };
    try {
      current = (await this.custom.getClusterCustomObject(g)) as typeof current;
    } catch (err) {
      if (isNotFound(err)) return; // views turned off, or not installed yet
      throw err;
    }
    if (current.spec?.caBundle === caBundle) return;
    await this.custom.patchClusterCustomObject(
      { ...g, body: [{ op: "add", path: "/spec/caBundle", value: caBundle }] },
      jsonPatch,
    );
    this.o.log.info({ apiService: name }, "CA bundle written into the APIService");
  }

  private async patchWebhooks(name: string, caBundle: string): Promise<void> {
    let current: Awaited<
      ReturnType<AdmissionregistrationV1Api["readMutatingWebhookConfiguration"]>
    >;
    try {
      current = await this.admission.readMutatingWebhookConfiguration({ name });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const ops = (current.webhooks ?? []).flatMap((w, i) =>
      w.clientConfig.caBundle === caBundle
        ? []
        : [{ op: "add", path: `/webhooks/${i}/clientConfig/caBundle`, value: caBundle }],
    );
    if (ops.length === 0) return;
    // the test op makes a concurrent change of the list fail instead of patching the wrong webhook
    const test = {
      op: "test",
      path: "/metadata/resourceVersion",
      value: current.metadata?.resourceVersion,
    };
    await this.admission.patchMutatingWebhookConfiguration(
      { name, body: [test, ...ops] },
      jsonPatch,
    );
    this.o.log.info(
      { webhookConfiguration: name },
      "CA bundle written into the webhook configuration",
    );
  }
}
