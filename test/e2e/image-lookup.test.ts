// lookupPolicy.local on the real API server: the operator's HTTPS server
// answers the MutatingWebhookConfiguration of config/webhook (its CA bundle
// written by the operator), reached through an ExternalName Service naming
// localhost, as the image views are (test/e2e/support/aggregation.ts). The
// configuration is narrowed to this file's namespace so no other test's
// objects go through it, and deleted afterwards.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadAllYaml } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage } from "../support/registry-push.js";
import {
  createNamespace,
  createStream,
  deleteNamespace,
  dockerTag,
  eventually,
  saveOperatorLog,
  targets,
  uniqueRepository,
  waitForImage,
} from "./imports-support.js";
import { OPERATOR_NS } from "./support/aggregation.js";
import { testEnv } from "./support/env.js";
import { kubectl, kubectlOk } from "./support/kubectl.js";
import { freePort, type RunningOperator, startOperator } from "./support/operator.js";

const ROOT = resolve(import.meta.dirname, "../..");
const WEBHOOK = "imagestream-operator";
let ns: string;
let operator: RunningOperator | undefined;
let appReference: string;
let plainReference: string;

function applyJson(object: unknown): void {
  kubectlOk(
    ["apply", "--server-side", "--force-conflicts", "--field-manager=e2e", "-f", "-"],
    JSON.stringify(object),
  );
}

/** config/webhook's configuration, pointed at port and narrowed to namespace. */
function webhookConfiguration(port: number, namespace: string): Record<string, unknown> {
  const file = join(ROOT, "config/webhook/mutating-webhook-configuration.yaml");
  const [config] = loadAllYaml(readFileSync(file, "utf8")) as {
    webhooks: { clientConfig: { service: { port: number } }; namespaceSelector: unknown }[];
  }[];
  for (const hook of config?.webhooks ?? []) {
    hook.clientConfig.service.port = port;
    hook.namespaceSelector = { matchLabels: { "kubernetes.io/metadata.name": namespace } };
  }
  return config as unknown as Record<string, unknown>;
}

function podImage(name: string): string {
  return kubectlOk(["-n", ns, "get", "pod", name, "-o", "jsonpath={.spec.containers[0].image}"]);
}

function createPod(name: string, image: string, annotations: Record<string, string> = {}) {
  applyJson({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: ns, annotations },
    spec: { containers: [{ name: "c", image }] },
  });
}

function tagReference(stream: string): string {
  return kubectlOk([
    ...["-n", ns, "get", "imagestream", stream],
    ...["-o", "jsonpath={.status.tags[0].items[0].dockerImageReference}"],
  ]);
}

beforeAll(async () => {
  ns = await createNamespace("lookup");
  const port = await freePort();
  applyJson({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "imagestream-operator", namespace: OPERATOR_NS },
    spec: { type: "ExternalName", externalName: "localhost" },
  });
  // the configuration exists before the operator starts: its first pass writes the CA bundle
  applyJson(webhookConfiguration(port, ns));
  operator = await startOperator(["--serving-addr", `127.0.0.1:${port}`]);
  for (const stream of ["app", "plain"]) {
    const repository = uniqueRepository(`lookup-${stream}`);
    await pushImage(targets.plain, { repository, tag: "v1" });
    await createStream(ns, stream, {
      lookupPolicy: { local: stream === "app" },
      tags: [
        dockerTag("v1", `${testEnv.registry}/${repository}:v1`, {
          importPolicy: { insecure: true },
        }),
      ],
    });
    await waitForImage(ns, stream, "v1");
  }
  appReference = tagReference("app");
  plainReference = tagReference("plain");
  await eventually(
    "the operator to write its CA bundle into the webhook configuration",
    async () =>
      kubectlOk(["get", "mutatingwebhookconfiguration", WEBHOOK, "-o", "jsonpath={..caBundle}"])
        .length > 0,
    60_000,
  );
});

afterAll(async () => {
  kubectl(["delete", "mutatingwebhookconfiguration", WEBHOOK, "--ignore-not-found"]);
  if (operator) saveOperatorLog(operator, "image-lookup");
  await operator?.stop();
  await deleteNamespace(ns);
});

describe("lookupPolicy.local through the admission webhook", () => {
  it("stores a Pod's `app:v1` as the stream tag's digest reference", async () => {
    expect(appReference).toMatch(/@sha256:[0-9a-f]{64}$/);
    // the first requests may come before the API server trusts the new CA bundle
    await eventually(
      "a Pod created with app:v1 to be stored by digest",
      async () => {
        kubectl(["-n", ns, "delete", "pod", "first", "--ignore-not-found", "--wait=false"]);
        createPod("first", "app:v1");
        return podImage("first") === appReference;
      },
      30_000,
      1000,
    );
  });

  it("leaves a stream without local lookup, and a fully qualified name, alone", () => {
    createPod("plain", "plain:v1");
    createPod("qualified", "docker.io/library/app:v1");
    expect(podImage("plain")).toBe("plain:v1");
    expect(podImage("qualified")).toBe("docker.io/library/app:v1");
  });

  it("resolves every name of a Deployment annotated resolve-names", () => {
    applyJson({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "web",
        namespace: ns,
        annotations: { "alpha.image.policy.openshift.io/resolve-names": "*" },
      },
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "c", image: "plain:v1" }] },
        },
      },
    });
    const stored = kubectlOk([
      ...["-n", ns, "get", "deployment", "web"],
      ...["-o", "jsonpath={.spec.template.spec.containers[0].image}"],
    ]);
    expect(stored).toBe(plainReference);
  });

  it("admits Pods unchanged while no operator answers (failurePolicy Ignore)", async () => {
    await operator?.stop();
    operator = undefined;
    createPod("unanswered", "app:v1");
    expect(podImage("unanswered")).toBe("app:v1");
  });
});
