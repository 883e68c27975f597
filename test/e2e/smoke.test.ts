// Proves the test environment is the real thing before any other e2e test
// leans on it: a control plane whose controllers turn Deployments into
// ReplicaSets, an operator identity without admin rights, and four registries
// that speak HTTP, TLS, basic auth and bearer tokens as production ones do.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import {
  ApiException,
  AppsV1Api,
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  RbacAuthorizationV1Api,
  type V1ReplicaSet,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminKubeConfig, operatorKubeConfig, testEnv } from "./support/env.js";

interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface GetOptions {
  ca?: string;
  authorization?: string;
}

function get(url: string, options: GetOptions = {}): Promise<HttpResult> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: "GET",
        ca: options.ca,
        headers: options.authorization ? { Authorization: options.authorization } : {},
        timeout: 10_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/** `Bearer realm="...",service="..."` -> its parameters. */
function parseChallenge(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const match of header.matchAll(/(\w+)="([^"]*)"/g)) {
    if (match[1] !== undefined && match[2] !== undefined) params[match[1]] = match[2];
  }
  return params;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("control plane", () => {
  const core = adminKubeConfig.makeApiClient(CoreV1Api);
  const apps = adminKubeConfig.makeApiClient(AppsV1Api);
  const namespace = `smoke-${Date.now().toString(36)}`;

  beforeAll(async () => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
  });

  it("turns a Deployment into a ReplicaSet it owns, with the Deployment's pod template", async () => {
    const image = `${testEnv.registry}/smoke/app:v1`;
    const deployment = await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: "smoke" },
        spec: {
          selector: { matchLabels: { app: "smoke" } },
          template: {
            metadata: { labels: { app: "smoke" } },
            spec: { containers: [{ name: "app", image }] },
          },
        },
      },
    });
    const owned = await eventually<V1ReplicaSet>(
      "a ReplicaSet owned by the Deployment",
      async () => {
        const list = await apps.listNamespacedReplicaSet({ namespace });
        return list.items.find((replicaSet) =>
          replicaSet.metadata?.ownerReferences?.some(
            (owner) => owner.kind === "Deployment" && owner.uid === deployment.metadata?.uid,
          ),
        );
      },
    );
    expect(owned.spec?.template?.spec?.containers[0]?.image).toBe(image);
  });

  it("gives the operator its ServiceAccount's identity, not admin rights", async () => {
    const review = await operatorKubeConfig
      .makeApiClient(AuthenticationV1Api)
      .createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).toBe(
      "system:serviceaccount:imagestream-operator-system:imagestream-operator",
    );
    // Not cluster-admin, and unable to grant itself more: whatever config/rbac
    // allows, these stay out of the operator's reach.
    const authorization = operatorKubeConfig.makeApiClient(AuthorizationV1Api);
    const allowed = async (verb: string, group: string, resource: string) => {
      const access = await authorization.createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: { verb, group, resource } } },
      });
      return access.status?.allowed;
    };
    expect(await allowed("*", "*", "*")).toBe(false);
    expect(await allowed("create", "rbac.authorization.k8s.io", "clusterrolebindings")).toBe(false);
    expect(await allowed("delete", "", "secrets")).toBe(false);
    // The server enforces it, not just reports it (dry run: nothing is kept either way).
    const escalation = operatorKubeConfig
      .makeApiClient(RbacAuthorizationV1Api)
      .createClusterRoleBinding({
        dryRun: "All",
        body: {
          metadata: { name: "smoke-escalation" },
          roleRef: {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: "cluster-admin",
          },
          subjects: [
            {
              kind: "ServiceAccount",
              name: "imagestream-operator",
              namespace: "imagestream-operator-system",
            },
          ],
        },
      });
    await expect(escalation).rejects.toSatisfy(
      (error: unknown) => error instanceof ApiException && error.code === 403,
    );
  });
});

describe("registries", () => {
  const { registryCa: ca, registryUser: user, registryPassword: password } = testEnv;

  it("plain HTTP: /v2/ answers as a distribution registry", async () => {
    const answer = await get(`http://${testEnv.registry}/v2/`);
    expect(answer.status).toBe(200);
    expect(answer.headers["docker-distribution-api-version"]).toBe("registry/2.0");
  });

  it("TLS: verifies with REGISTRY_CA and only with it", async () => {
    const answer = await get(`https://${testEnv.registryTls}/v2/`, { ca });
    expect(answer.status).toBe(200);
    expect(answer.headers["docker-distribution-api-version"]).toBe("registry/2.0");
    await expect(get(`https://${testEnv.registryTls}/v2/`)).rejects.toThrow(/certificate/i);
  });

  it("basic auth: rejects anonymous and wrong passwords, accepts REGISTRY_USER", async () => {
    const url = `https://${testEnv.registryBasic}/v2/`;
    const anonymous = await get(url, { ca });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers["www-authenticate"]).toMatch(/^Basic /);
    const wrong = await get(url, { ca, authorization: basic(user, `${password}-wrong`) });
    expect(wrong.status).toBe(401);
    const right = await get(url, { ca, authorization: basic(user, password) });
    expect(right.status).toBe(200);
  });

  it("token auth: challenges with Bearer and accepts a token from its realm", async () => {
    const url = `https://${testEnv.registryToken}/v2/`;
    const anonymous = await get(url, { ca });
    expect(anonymous.status).toBe(401);
    const challenge = anonymous.headers["www-authenticate"] ?? "";
    expect(challenge).toMatch(/^Bearer /);
    const { realm, service } = parseChallenge(challenge);
    expect(realm).toBeDefined();
    expect(service).toBeDefined();
    const tokenUrl = new URL(realm as string);
    tokenUrl.searchParams.set("service", service as string);
    tokenUrl.searchParams.set("scope", "repository:smoke/app:pull");

    const refused = await get(tokenUrl.href, { ca });
    expect(refused.status).toBe(401);
    const issued = await get(tokenUrl.href, { ca, authorization: basic(user, password) });
    expect(issued.status).toBe(200);
    const { token, access_token, expires_in } = JSON.parse(issued.body);
    expect(access_token).toBe(token);
    expect(expires_in).toBeGreaterThan(0);

    const authorized = await get(url, { ca, authorization: `Bearer ${token}` });
    expect(authorized.status).toBe(200);
    const [header, claims, signature] = (token as string).split(".");
    const zeroSignature = Buffer.alloc(Buffer.from(signature ?? "", "base64url").length);
    const forgedToken = `${header}.${claims}.${zeroSignature.toString("base64url")}`;
    const forged = await get(url, { ca, authorization: `Bearer ${forgedToken}` });
    expect(forged.status).toBe(401);
  });
});
