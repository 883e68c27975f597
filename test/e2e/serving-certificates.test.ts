// The HTTPS server's certificates on the real control plane (ADR 0022), both
// sources: self-managed (the operator renews what is wrong or missing, keeps
// the CA bundle in the APIService current, and swaps the served certificate
// without a restart) and provided (a Secret another party keeps, as
// cert-manager does: read and hot-reloaded, never written, caBundle left alone).
// The aggregator answering `kubectl get istag` is the proof that the API
// server trusts what is served.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, saveOperatorLog } from "./imports-support.js";
import {
  apiServiceAvailable,
  apiServiceCaBundle,
  fingerprint,
  OPERATOR_NS,
  registerApiService,
  secretValue,
  servedFingerprint,
  unregisterApiService,
} from "./support/aggregation.js";
import { kubectl, kubectlOk } from "./support/kubectl.js";
import { freePort, type RunningOperator, startOperator } from "./support/operator.js";

const MANAGED_SECRET = "imagestream-operator-serving-cert";
const PROVIDED_SECRET = "e2e-provided-serving-cert";
const SYNC = ["--serving-cert-sync-seconds", "1"];

/** the aggregator reaches the operator and trusts its certificate */
function viewsAnswer(): boolean {
  return kubectl(["get", "istag", "-A"]).status === 0;
}

async function waitServing(port: number, pem: () => string, what: string): Promise<void> {
  await eventually(
    what,
    async () => (await servedFingerprint(port)) === fingerprint(pem()),
    30_000,
  );
}

afterAll(() => unregisterApiService());

describe("self-managed certificates", () => {
  let operator: RunningOperator;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    registerApiService(port);
    operator = await startOperator(["--serving-addr", `127.0.0.1:${port}`, ...SYNC]);
    await eventually("the APIService to be Available", async () => apiServiceAvailable(), 60_000);
  }, 120_000);
  afterAll(async () => {
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "serving-certificates")).toEqual([]);
  });

  it("replaces a serving certificate its CA did not sign; the CA bundle stays", async () => {
    const bundle = apiServiceCaBundle();
    const caBefore = secretValue(MANAGED_SECRET, "ca.crt");
    const dir = mkdtempSync(join(tmpdir(), "iso-foreign-"));
    execFileSync(
      "openssl",
      [
        ...[
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-days",
          "1",
          "-subj",
          "/CN=localhost",
        ],
        ...["-keyout", join(dir, "k"), "-out", join(dir, "c")],
      ],
      { stdio: "ignore" },
    );
    const data = {
      "tls.crt": readFileSync(join(dir, "c")).toString("base64"),
      "tls.key": readFileSync(join(dir, "k")).toString("base64"),
    };
    kubectlOk([
      "patch",
      "secret",
      MANAGED_SECRET,
      "-n",
      OPERATOR_NS,
      "-p",
      JSON.stringify({ data }),
    ]);
    await eventually(
      "the leader to write a serving certificate of its CA again",
      async () => secretValue(MANAGED_SECRET, "tls.crt") !== readFileSync(join(dir, "c"), "utf8"),
      30_000,
    );
    await waitServing(
      port,
      () => secretValue(MANAGED_SECRET, "tls.crt"),
      "the renewed certificate to be served",
    );
    expect(secretValue(MANAGED_SECRET, "ca.crt")).toBe(caBefore);
    expect(apiServiceCaBundle()).toBe(bundle);
    expect(viewsAnswer()).toBe(true);
  });

  it("writes the CA bundle into every webhook of the MutatingWebhookConfiguration", async () => {
    // never called: the object selector matches nothing, failures are ignored
    const webhook = (name: string) => ({
      name,
      clientConfig: { url: "https://127.0.0.1:1/never" },
      rules: [
        { operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"] },
      ],
      objectSelector: { matchLabels: { "imagestream-operator.io/e2e-never": "true" } },
      failurePolicy: "Ignore",
      sideEffects: "None",
      admissionReviewVersions: ["v1"],
    });
    const config = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata: { name: "imagestream-operator" },
      webhooks: [
        webhook("a.e2e.imagestream-operator.io"),
        webhook("b.e2e.imagestream-operator.io"),
      ],
    };
    kubectlOk(["create", "-f", "-"], JSON.stringify(config));
    try {
      const bundle = apiServiceCaBundle();
      await eventually(
        "the CA bundle in both webhooks",
        async () => {
          const got = kubectlOk([
            ...["get", "mutatingwebhookconfiguration", "imagestream-operator"],
            ...["-o", "jsonpath={.webhooks[*].clientConfig.caBundle}"],
          ]);
          return got === `${bundle} ${bundle}`;
        },
        30_000,
      );
    } finally {
      kubectl([
        "delete",
        "mutatingwebhookconfiguration",
        "imagestream-operator",
        "--ignore-not-found",
      ]);
    }
  });

  it("a lost Secret: a new CA, written into the APIService, served without a restart", async () => {
    const bundle = apiServiceCaBundle();
    kubectlOk(["delete", "secret", MANAGED_SECRET, "-n", OPERATOR_NS]);
    await eventually(
      "a new CA bundle in the APIService",
      async () => {
        const now = apiServiceCaBundle();
        return now !== "" && now !== bundle;
      },
      30_000,
    );
    await waitServing(
      port,
      () => secretValue(MANAGED_SECRET, "tls.crt"),
      "the new certificate to be served",
    );
    await eventually(
      "the aggregator to trust the new certificate",
      async () => viewsAnswer(),
      60_000,
    );
    expect(operator.process.exitCode).toBeNull(); // same process all along
  });
});

describe("a provided Secret (as cert-manager keeps it)", () => {
  let operator: RunningOperator;
  let port: number;
  const dir = mkdtempSync(join(tmpdir(), "iso-provided-"));
  const ca = { crt: join(dir, "ca.crt"), key: join(dir, "ca.key") };

  /**
   * A leaf signed by the test CA, as an issuer would make it. The aggregator
   * dials localhost (the ExternalName) but verifies the certificate for the
   * Service's DNS name <service>.<namespace>.svc: that name must be in it.
   */
  function issue(name: string): { crt: string; key: string } {
    const crt = join(dir, `${name}.crt`);
    const key = join(dir, `${name}.key`);
    const ext = join(dir, `${name}.ext`);
    writeFileSync(
      ext,
      `subjectAltName=DNS:imagestream-operator.${OPERATOR_NS}.svc,DNS:localhost\nextendedKeyUsage=serverAuth\n`,
    );
    execFileSync(
      "openssl",
      [
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        key,
        "-out",
        `${crt}.csr`,
      ],
      { stdio: "ignore" },
    );
    execFileSync(
      "openssl",
      [
        ...[
          "x509",
          "-req",
          "-in",
          `${crt}.csr`,
          "-CA",
          ca.crt,
          "-CAkey",
          ca.key,
          "-set_serial",
          String(Date.now()),
        ],
        ...["-days", "2", "-extfile", ext, "-out", crt],
      ],
      { stdio: "ignore" },
    );
    return { crt, key };
  }

  function storeSecret(leaf: { crt: string; key: string }): void {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: { name: PROVIDED_SECRET, namespace: OPERATOR_NS },
      data: {
        "tls.crt": readFileSync(leaf.crt).toString("base64"),
        "tls.key": readFileSync(leaf.key).toString("base64"),
        "ca.crt": readFileSync(ca.crt).toString("base64"),
      },
    };
    kubectlOk(
      ["apply", "--server-side", "--force-conflicts", "--field-manager=e2e", "-f", "-"],
      JSON.stringify(secret),
    );
  }

  beforeAll(async () => {
    execFileSync(
      "openssl",
      [
        ...[
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-days",
          "2",
          "-subj",
          "/CN=e2e-issuer",
        ],
        ...[
          "-addext",
          "basicConstraints=critical,CA:TRUE",
          "-addext",
          "keyUsage=critical,keyCertSign",
        ],
        ...["-keyout", ca.key, "-out", ca.crt],
      ],
      { stdio: "ignore" },
    );
    storeSecret(issue("first"));
    // the chart grants its Secret by name; this one is the test's
    kubectl([
      "create",
      "role",
      "e2e-provided-cert",
      "-n",
      OPERATOR_NS,
      "--verb=get",
      "--resource=secrets",
      `--resource-name=${PROVIDED_SECRET}`,
    ]);
    kubectl([
      "create",
      "rolebinding",
      "e2e-provided-cert",
      "-n",
      OPERATOR_NS,
      "--role=e2e-provided-cert",
      `--serviceaccount=${OPERATOR_NS}:imagestream-operator`,
    ]);
    port = await freePort();
    // cert-manager's CA injector would write this bundle
    registerApiService(port, readFileSync(ca.crt).toString("base64"));
    operator = await startOperator([
      ...["--serving-addr", `127.0.0.1:${port}`, ...SYNC],
      ...["--serving-cert-managed=false", "--serving-cert-secret", PROVIDED_SECRET],
    ]);
  }, 120_000);
  afterAll(async () => {
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "serving-certificates-provided")).toEqual([]);
    kubectl(["delete", "secret", PROVIDED_SECRET, "-n", OPERATOR_NS, "--ignore-not-found"]);
    kubectl([
      "delete",
      "rolebinding,role",
      "e2e-provided-cert",
      "-n",
      OPERATOR_NS,
      "--ignore-not-found",
    ]);
  });

  it("serves the provided certificate and leaves the APIService's CA bundle alone", async () => {
    await waitServing(
      port,
      () => readFileSync(join(dir, "first.crt"), "utf8"),
      "the provided certificate to be served",
    );
    await eventually("the APIService to be Available", async () => apiServiceAvailable(), 60_000);
    expect(viewsAnswer()).toBe(true);
    expect(apiServiceCaBundle()).toBe(readFileSync(ca.crt).toString("base64"));
  });

  it("a rotated Secret is served without a restart", async () => {
    const second = issue("second");
    storeSecret(second);
    await waitServing(
      port,
      () => readFileSync(second.crt, "utf8"),
      "the rotated certificate to be served",
    );
    expect(viewsAnswer()).toBe(true);
    expect(operator.process.exitCode).toBeNull();
    expect(apiServiceCaBundle()).toBe(readFileSync(ca.crt).toString("base64"));
  });
});
