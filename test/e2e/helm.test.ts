// The Helm chart installs what config/ installs: same CRDs, same operator
// permissions, and manifests the real API server accepts; published as an
// OCI artifact, it installs from the registry with every optional part on.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAllYaml, loadYaml } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testEnv } from "./support/env.js";
import { kubectl, kubectlOk, repoRoot } from "./support/kubectl.js";
import { CHART_DIR as chart, chartVersion, helm, publishChart, script } from "./support/publish.js";

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

  it("adds extraEnv after the chart's own variables; the schema wants a name", () => {
    type Env = { name: string; value?: string };
    const deployment = (
      loadAllYaml(
        helm([
          ...["template", "iso", chart],
          ...["--set-json", 'extraEnv=[{"name":"KUBERNETES_SERVICE_HOST","value":"10.1.2.1"}]'],
        ]),
      ) as Obj[]
    ).find((o) => o.kind === "Deployment") as Obj & {
      spec: { template: { spec: { containers: { env: Env[] }[] } } };
    };
    const env = deployment.spec.template.spec.containers[0]?.env ?? [];
    expect(env.map((e) => e.name)).toEqual(["POD_NAMESPACE", "POD_IP", "KUBERNETES_SERVICE_HOST"]);
    expect(env[2]?.value).toBe("10.1.2.1");
    const run = spawnSync(
      "helm",
      ["template", "iso", chart, "--set-json", 'extraEnv=[{"value":"x"}]'],
      {
        encoding: "utf8",
      },
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("extraEnv");
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

// Every optional part of the chart at once.
const ALL_OPTIONS = [
  ...RECEIVER_VALUES,
  "--set",
  "metrics.serviceMonitor.enabled=true,metrics.serviceMonitor.interval=30s",
  "--set",
  "metrics.prometheusRule.enabled=true,metrics.grafanaDashboard.enabled=true",
  "--set",
  "networkPolicy.enabled=true",
  "--set-json",
  'networkPolicy.metricsFrom=[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"monitoring"}}}]',
];
const MONITORING_CRDS = [
  "servicemonitors.monitoring.coreos.com",
  "prometheusrules.monitoring.coreos.com",
];

describe("the published chart (OCI artifact in the registry)", () => {
  let reference: string;
  let version: string;
  let objects: Obj[];
  const createdCrds: string[] = [];

  const fromRegistry = (args: string[]) =>
    helm(["template", "iso", reference, "--version", version, "--plain-http", ...args]);

  beforeAll(() => {
    // what `make chart` runs: helm package + helm push, to the test registry
    reference = publishChart();
    version = chartVersion();
    // the Prometheus Operator's CRDs, from its Go module (hack/monitoring-crds.sh)
    const crds = script("hack/monitoring-crds.sh");
    for (const name of MONITORING_CRDS) {
      if (kubectl(["get", "crd", name]).status !== 0) createdCrds.push(name);
    }
    kubectlOk(["apply", "--server-side", "-f", crds]);
    kubectlOk([
      "wait",
      "--for=condition=Established",
      "--timeout=60s",
      ...MONITORING_CRDS.map((c) => `crd/${c}`),
    ]);
    kubectl(["create", "namespace", NS]);
    objects = loadAllYaml(fromRegistry(["--namespace", NS, ...ALL_OPTIONS])).filter(
      Boolean,
    ) as Obj[];
  }, 900_000);

  afterAll(() => {
    if (createdCrds.length > 0) kubectl(["delete", "crd", ...createdCrds, "--wait=false"]);
  });

  it("is pushed under charts/ and pulled back by helm from there", () => {
    expect(reference).toBe(`oci://${testEnv.registry}/charts/imagestream-operator`);
    expect(helm(["show", "chart", reference, "--version", version, "--plain-http"])).toContain(
      `version: ${version}`,
    );
  });

  it("renders every optional part", () => {
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    for (const expected of [
      "Service/iso-imagestream-operator-metrics",
      "Service/iso-imagestream-operator",
      "Service/iso-imagestream-operator-webhook",
      "ServiceMonitor/iso-imagestream-operator",
      "PrometheusRule/iso-imagestream-operator",
      "ConfigMap/iso-imagestream-operator-dashboard",
      "NetworkPolicy/iso-imagestream-operator",
      "PodDisruptionBudget/iso-imagestream-operator",
      "Ingress/iso-imagestream-operator-webhook",
      "APIService/v1.image.imagestream-operator.io",
      "MutatingWebhookConfiguration/imagestream-operator",
    ]) {
      expect(names).toContain(expected);
    }
  });

  it("is accepted by the API server with every optional part (server-side apply, dry run)", () => {
    const manifests = fromRegistry(["--namespace", NS, ...ALL_OPTIONS]);
    const out = kubectlOk(["apply", "--server-side", "--dry-run=server", "-f", "-"], manifests);
    for (const applied of [
      "servicemonitor.monitoring.coreos.com/iso-imagestream-operator",
      "prometheusrule.monitoring.coreos.com/iso-imagestream-operator",
      "configmap/iso-imagestream-operator-dashboard",
      "networkpolicy.networking.k8s.io/iso-imagestream-operator",
      "poddisruptionbudget.policy/iso-imagestream-operator",
      "service/iso-imagestream-operator-metrics",
      "deployment.apps/iso-imagestream-operator",
    ]) {
      expect(out).toContain(`${applied} serverside-applied (server dry run)`);
    }
  });

  it("carries the alerts and the dashboard files unchanged", () => {
    const rule = objects.find((o) => o.kind === "PrometheusRule");
    expect(rule?.spec).toEqual(loadYaml(readFileSync(join(chart, "files/alerts.yaml"), "utf8")));
    const dashboard = objects.find((o) => o.kind === "ConfigMap") as Obj & {
      data: Record<string, string>;
      metadata: { labels: Record<string, string> };
    };
    expect(dashboard.data["imagestream-operator.json"]).toBe(
      readFileSync(join(chart, "files/dashboard.json"), "utf8"),
    );
    expect(dashboard.metadata.labels.grafana_dashboard).toBe("1");
  });

  it("selects only the metrics Service with the ServiceMonitor; the NetworkPolicy opens the ports in use", () => {
    const services = objects.filter((o) => o.kind === "Service") as (Obj & {
      metadata: { labels: Record<string, string> };
    })[];
    const monitor = objects.find((o) => o.kind === "ServiceMonitor") as Obj & {
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: unknown[] };
    };
    const selected = services.filter((s) =>
      Object.entries(monitor.spec.selector.matchLabels).every(
        ([k, v]) => s.metadata.labels[k] === v,
      ),
    );
    expect(selected.map((s) => s.metadata.name)).toEqual(["iso-imagestream-operator-metrics"]);
    expect(monitor.spec.endpoints).toEqual([
      { port: "metrics", path: "/metrics", interval: "30s" },
    ]);
    const policy = objects.find((o) => o.kind === "NetworkPolicy") as Obj & {
      // client-node's loadAllYaml gives typed models, whose "from" is "_from"
      spec: { ingress: { ports: { port: string }[]; _from?: unknown[] }[] };
    };
    expect(policy.spec.ingress.map((r) => [r.ports[0]?.port, r._from?.length ?? "any"])).toEqual([
      ["https", "any"],
      ["metrics", 1],
    ]);
  });

  it("spreads the replicas over nodes and zones, and has a PodDisruptionBudget only with more than one", () => {
    const deployment = objects.find((o) => o.kind === "Deployment") as Obj & {
      spec: { template: { spec: { topologySpreadConstraints: Record<string, unknown>[] } } };
    };
    const selector = {
      matchLabels: {
        "app.kubernetes.io/name": "imagestream-operator",
        "app.kubernetes.io/instance": "iso",
      },
    };
    expect(deployment.spec.template.spec.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: selector,
      },
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: selector,
      },
    ]);
    expect(fromRegistry(["--set", "replicaCount=1"])).not.toContain("kind: PodDisruptionBudget");
    expect(fromRegistry(["--set-json", "topologySpreadConstraints=[]"])).not.toContain(
      "topologySpreadConstraints",
    );
  });

  it("pulls the image by digest when one is given", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const out = fromRegistry([
      "--set",
      `image.repository=${testEnv.registry}/op,image.digest=${digest}`,
    ]);
    expect(out).toContain(`image: "${testEnv.registry}/op@${digest}"`);
  });

  it("validates every value against values.schema.json", () => {
    const refused = (args: string[]) => {
      const run = spawnSync(
        "helm",
        ["template", "iso", reference, "--version", version, "--plain-http", ...args],
        { encoding: "utf8", timeout: 60_000 },
      );
      return run.status !== 0 ? run.stderr : "";
    };
    expect(refused(["--set", "replicaCount=two"])).toContain("replicaCount");
    expect(refused(["--set", "metrics.serviceMonitor.enabeld=true"])).toContain("enabeld");
    expect(refused(["--set", "config.defaultImportMode=Fast"])).toContain("defaultImportMode");
    expect(refused(["--set", "image.digest=latest"])).toContain("digest");
    expect(refused(["--set", "config.workers=4"])).toBe("");
  });
});
