// The Helm chart installs what config/ installs: same CRDs, same operator
// permissions, and manifests the real API server accepts.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAllYaml } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { kubectl, kubectlOk, repoRoot } from "./support/kubectl.js";

const chart = join(repoRoot, "helm/imagestream-operator");
const NS = "iso-helm-e2e";
const RECEIVER_VALUES = [
  "--set",
  "webhook.enabled=true",
  "--set",
  "webhook.receivers.github.enabled=true,webhook.receivers.github.secret=gh-secret",
  "--set",
  "webhook.receivers.dockerhub.enabled=true,webhook.receivers.dockerhub.secret=hub-secret",
  "--set",
  "webhook.ingress.enabled=true,webhook.ingress.host=push.example.com",
  "--set-json",
  'webhook.registryHosts={"dockerhub":"mirror.example.com"}',
];

function helm(args: string[]): string {
  const run = spawnSync("helm", args, { encoding: "utf8", timeout: 60_000 });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`helm ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

type Obj = { kind: string; metadata: { name: string }; rules?: unknown; spec?: unknown };

function rulesOf(objects: Obj[], kind: string, nameSuffix: string): unknown {
  const found = objects.find((o) => o.kind === kind && o.metadata.name.endsWith(nameSuffix));
  if (!found) throw new Error(`no ${kind} *${nameSuffix}`);
  return found.rules;
}

function configObjects(dir: string): Obj[] {
  return readdirSync(join(repoRoot, dir))
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => loadAllYaml(readFileSync(join(repoRoot, dir, f), "utf8")) as Obj[]);
}

describe("Helm chart", () => {
  let rendered: Obj[];

  beforeAll(() => {
    rendered = loadAllYaml(
      helm(["template", "iso", chart, "--namespace", NS, "--include-crds"]),
    ).filter(Boolean) as Obj[];
  });

  it("passes helm lint", () => {
    expect(helm(["lint", chart])).toContain("0 chart(s) failed");
  });

  it("ships exactly the CRDs of config/crd", () => {
    for (const file of readdirSync(join(repoRoot, "config/crd"))) {
      expect(readFileSync(join(chart, "crds", file), "utf8"), file).toBe(
        readFileSync(join(repoRoot, "config/crd", file), "utf8"),
      );
    }
  });

  it("grants the operator exactly the rules of config/rbac", () => {
    const config = configObjects("config/rbac");
    expect(rulesOf(rendered, "ClusterRole", "imagestream-operator")).toEqual(
      rulesOf(config, "ClusterRole", "imagestream-operator"),
    );
    expect(rulesOf(rendered, "Role", "leader-election")).toEqual(
      rulesOf(config, "Role", "leader-election"),
    );
    expect(rulesOf(rendered, "ClusterRole", "aggregate-to-view")).toEqual(
      rulesOf(config, "ClusterRole", "aggregate-to-view"),
    );
    expect(rulesOf(rendered, "ClusterRole", "aggregate-to-edit")).toEqual(
      rulesOf(config, "ClusterRole", "aggregate-to-edit"),
    );
  });

  it("renders flags from values", () => {
    const out = helm([
      "template",
      "iso",
      chart,
      "--set",
      "watchNamespaces={a,b}",
      "--set",
      "config.allowedRegistries={quay.io,*.example.com}",
      "--set",
      "caBundle.configMapName=registry-ca",
      "--set-json",
      'caBundle.registries={"registry.internal:5000":"internal.crt","quay.example":"quay.crt"}',
    ]);
    expect(out).toContain("--namespaces=a,b");
    expect(out).toContain("--allowed-registries=quay.io,*.example.com");
    expect(out).toContain("--ca-bundle=/etc/imagestream-operator/ca/ca.crt");
    expect(out).toContain(
      "--registry-ca=quay.example=/etc/imagestream-operator/ca/quay.crt," +
        "registry.internal:5000=/etc/imagestream-operator/ca/internal.crt",
    );
    expect(out).toContain("mountPath: /etc/imagestream-operator/ca");
  });

  it("renders the image lookup webhook of config/webhook, for the release's namespace and Service", () => {
    type Webhooks = { webhooks: Record<string, unknown>[] };
    const [fromConfig] = configObjects("config/webhook") as unknown as Webhooks[];
    const fromChart = rendered.find((o) => o.kind === "MutatingWebhookConfiguration") as
      | (Obj & Webhooks)
      | undefined;
    expect(fromChart?.metadata.name).toBe("imagestream-operator");
    const [chartHook] = fromChart?.webhooks ?? [];
    const [configHook] = fromConfig?.webhooks ?? [];
    const { clientConfig, namespaceSelector, ...rules } = chartHook ?? {};
    const { clientConfig: _c, namespaceSelector: _n, ...configRules } = configHook ?? {};
    expect(rules).toEqual(configRules);
    expect(clientConfig).toEqual({
      service: {
        name: "iso-imagestream-operator",
        namespace: NS,
        port: 443,
        path: "/admission/image-lookup",
      },
    });
    expect(namespaceSelector).toEqual({
      matchExpressions: [
        { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system", NS] },
      ],
    });
    const disabled = helm(["template", "iso", chart, "--set", "imageLookup.enabled=false"]);
    expect(disabled).not.toContain("MutatingWebhookConfiguration");
  });

  it("renders the push receivers from values: flags, Secret, Service (no selector), Ingress, the leader's EndpointSlice rights", () => {
    const objects = loadAllYaml(
      helm(["template", "iso", chart, "--namespace", NS, ...RECEIVER_VALUES]),
    ) as Obj[];
    const secret = objects.find((o) => o.kind === "Secret") as Obj & { stringData?: unknown };
    expect(secret.metadata.name).toBe("iso-imagestream-operator-webhook");
    expect(secret.stringData).toEqual({ github: "gh-secret", dockerhub: "hub-secret" });
    const args = JSON.stringify(objects.find((o) => o.kind === "Deployment")?.spec);
    for (const flag of [
      "--webhook-enabled=true",
      "--webhook-service=iso-imagestream-operator-webhook",
      "--webhook-secret-name=iso-imagestream-operator-webhook",
      "--webhook-receivers=dockerhub,github",
      "--webhook-registry-hosts=dockerhub=mirror.example.com",
    ]) {
      expect(args).toContain(flag);
    }
    expect(args).toContain('"name":"POD_IP"');
    const kinds = objects.filter((o) => o.metadata.name.endsWith("-webhook")).map((o) => o.kind);
    expect(kinds.sort()).toEqual(["Ingress", "Secret", "Service"]);
    // the leader writes the Service's endpoints: a selector would have the
    // EndpointSlice controller add the standbys
    const service = objects.find(
      (o) => o.kind === "Service" && o.metadata.name.endsWith("-webhook"),
    );
    expect(service?.spec).toEqual({
      type: "ClusterIP",
      ports: [{ name: "https", port: 443, protocol: "TCP" }],
    });
    expect(JSON.stringify(rulesOf(objects, "Role", "-serving"))).toContain(
      '"resourceNames":["iso-imagestream-operator-webhook-leader"]',
    );
    const off = loadAllYaml(helm(["template", "iso", chart, "--namespace", NS])) as Obj[];
    expect(off.filter((o) => o?.metadata.name.endsWith("-webhook"))).toEqual([]);
    expect(JSON.stringify(off)).toContain("--webhook-enabled=false");
    expect(JSON.stringify(rulesOf(off, "Role", "-serving"))).not.toContain("endpointslices");
  });

  it("serves the image views by default; a value turns them off; cert-manager is an option", () => {
    const defaults = helm(["template", "iso", chart, "--namespace", NS]);
    expect(defaults).toContain("kind: APIService");
    expect(defaults).toContain("kind: PodDisruptionBudget");
    expect(defaults).toContain("--serving-cert-managed=true");
    const off = helm(["template", "iso", chart, "--set", "imageViews.enabled=false"]);
    expect(off).not.toContain("kind: APIService");
    const certManager = helm([
      ...["template", "iso", chart, "--namespace", NS],
      ...["--set", "serving.certificate.source=cert-manager"],
      ...[
        "--set-json",
        'serving.certificate.certManager.issuerRef={"name":"ca","kind":"ClusterIssuer"}',
      ],
    ]);
    expect(certManager).toContain("kind: Certificate");
    expect(certManager).toContain(
      `cert-manager.io/inject-ca-from: ${NS}/iso-imagestream-operator-serving`,
    );
    expect(certManager).toContain("--serving-cert-managed=false");
  });

  it("is accepted by the API server (server-side dry run)", () => {
    kubectl(["create", "namespace", NS]);
    const manifests = helm(["template", "iso", chart, "--namespace", NS]);
    const out = kubectlOk(["apply", "--server-side", "--dry-run=server", "-f", "-"], manifests);
    expect(out).toContain("deployment.apps/iso-imagestream-operator serverside-applied");
    expect(out).toContain("clusterrole.rbac.authorization.k8s.io/iso-imagestream-operator");
    expect(out).toContain(
      "mutatingwebhookconfiguration.admissionregistration.k8s.io/imagestream-operator serverside-applied",
    );
    const config = readFileSync(
      join(repoRoot, "config/webhook/mutating-webhook-configuration.yaml"),
      "utf8",
    );
    expect(kubectlOk(["apply", "--server-side", "--dry-run=server", "-f", "-"], config)).toContain(
      "mutatingwebhookconfiguration.admissionregistration.k8s.io/imagestream-operator serverside-applied",
    );
    const receivers = helm(["template", "iso", chart, "--namespace", NS, ...RECEIVER_VALUES]);
    const applied = kubectlOk(["apply", "--server-side", "--dry-run=server", "-f", "-"], receivers);
    for (const kind of ["secret", "service", "ingress.networking.k8s.io"]) {
      expect(applied).toContain(`${kind}/iso-imagestream-operator-webhook serverside-applied`);
    }
  });
});
