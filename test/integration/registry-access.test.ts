// The registry client against the real registries: plain HTTP, TLS with a CA,
// basic auth and token auth. Images are pushed by test/support/registry-push.ts
// (independent of the client) and the digests compared with what the registry
// itself reports on HEAD.

import https from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseChallenges } from "../../src/registry/auth.js";
import { HttpRegistryClient } from "../../src/registry/client.js";
import {
  ImportError,
  type ImportRequest,
  type RefreshTokenCredential,
} from "../../src/registry/types.js";
import { type PushedImage, pushImage, RegistryPusher } from "../support/registry-push.js";
import { pushTargets, readRegistryEnv, uniqueRepository } from "./registry-env.js";

const env = readRegistryEnv();
const targets = pushTargets(env);
const credentials = [{ username: env.username, password: env.password }];
// per-host CA bundles, as configured for registries with a private CA
const trusting = new HttpRegistryClient({
  caBundles: { [env.tls]: env.ca, [env.basic]: env.ca, [env.token]: env.ca },
});
const untrusting = new HttpRegistryClient();
afterAll(() => {
  trusting.close();
  untrusting.close();
});

function request(reference: string, overrides: Partial<ImportRequest> = {}): ImportRequest {
  return {
    reference,
    insecure: false,
    importMode: "Legacy",
    preferredPlatforms: [],
    credentials: [],
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<ImportError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error("expected the import to fail");
}

describe("plain HTTP registry", () => {
  const repository = uniqueRepository("plain");
  let pushed: PushedImage;
  beforeAll(async () => {
    pushed = await pushImage(targets.plain, { repository, tag: "v1", format: "docker" });
    await pushImage(targets.plain, { repository, tag: "v2", format: "oci" });
  });

  it("imports with the insecure flag; the digest is the one the registry reports", async () => {
    const reference = `${env.plain}/${repository}:v1`;
    const result = await trusting.importImage(request(reference, { insecure: true }));
    const reported = await new RegistryPusher(targets.plain).headDigest(repository, "v1");
    expect(result.image.digest).toBe(reported);
    expect(result.image.digest).toBe(pushed.digest);
    expect(result.image.dockerImageReference).toBe(`${env.plain}/${repository}@${reported}`);
    expect(result.image.layers.map((layer) => layer.name)).toEqual(
      pushed.layers.map((l) => l.digest),
    );
    expect(result.image.config).toMatchObject({
      architecture: "amd64",
      os: "linux",
      entrypoint: ["/usr/bin/app"],
      cmd: ["--listen", ":8080"],
      exposedPorts: ["8080/tcp"],
      user: "1001",
      workingDir: "/app",
      labels: { "org.opencontainers.image.title": "synthetic" },
    });
  });

  it("refuses without the insecure flag with OpenShift's message", async () => {
    const error = await failure(trusting.importImage(request(`${env.plain}/${repository}:v1`)));
    expect(error.reason).toBe("InsecureRequired");
    expect(error.message).toBe(
      `the repository ${env.plain}/${repository} is HTTP only and requires the insecure flag to import`,
    );
  });

  it("imports by digest and reports unknown tags as NotFound", async () => {
    const byDigest = await trusting.importImage(
      request(`${env.plain}/${repository}@${pushed.digest}`, { insecure: true }),
    );
    expect(byDigest.image.digest).toBe(pushed.digest);
    const error = await failure(
      trusting.importImage(request(`${env.plain}/${repository}:nope`, { insecure: true })),
    );
    expect(error.reason).toBe("NotFound");
  });

  it("lists tags", async () => {
    const tags = await trusting.listTags({
      reference: `${env.plain}/${repository}`,
      insecure: true,
      credentials: [],
    });
    expect(tags.sort()).toEqual(["v1", "v2"]);
  });

  it("lists tags across pages", async () => {
    const paging = new HttpRegistryClient({ tagPageSize: 1 });
    const tags = await paging
      .listTags({ reference: `${env.plain}/${repository}`, insecure: true, credentials: [] })
      .finally(() => paging.close());
    expect(tags.sort()).toEqual(["v1", "v2"]);
  });
});

describe("TLS registry", () => {
  const repository = uniqueRepository("tls");
  let pushed: PushedImage;
  beforeAll(async () => {
    pushed = await pushImage(targets.tls, { repository, tag: "v1", format: "oci" });
  });

  it("imports with the registry's CA bundle", async () => {
    const result = await trusting.importImage(request(`${env.tls}/${repository}:v1`));
    expect(result.image.digest).toBe(
      await new RegistryPusher(targets.tls).headDigest(repository, "v1"),
    );
    expect(result.image.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
  });

  it("fails without the CA", async () => {
    const error = await failure(untrusting.importImage(request(`${env.tls}/${repository}:v1`)));
    expect(error.reason).toBe("InternalError");
    expect(error.message).toContain("is not trusted");
  });

  it("skips verification with the insecure flag", async () => {
    const result = await untrusting.importImage(
      request(`${env.tls}/${repository}:v1`, { insecure: true }),
    );
    expect(result.image.digest).toBe(pushed.digest);
  });
});

describe.each([
  ["basic auth", "basic"],
  ["token auth", "token"],
] as const)("%s registry", (_name, kind) => {
  const repository = uniqueRepository(kind);
  let pushed: PushedImage;
  beforeAll(async () => {
    pushed = await pushImage(targets[kind], { repository, tag: "v1", format: "docker" });
  });

  it("imports with the credentials", async () => {
    const reference = `${env[kind]}/${repository}:v1`;
    const result = await trusting.importImage(request(reference, { credentials }));
    expect(result.image.digest).toBe(
      await new RegistryPusher(targets[kind]).headDigest(repository, "v1"),
    );
    expect(result.image.digest).toBe(pushed.digest);
    expect(result.image.config?.os).toBe("linux");
  });

  it("tries credentials in order until one works", async () => {
    const wrongFirst = [{ username: env.username, password: "wrong" }, ...credentials];
    const result = await trusting.importImage(
      request(`${env[kind]}/${repository}:v1`, { credentials: wrongFirst }),
    );
    expect(result.image.digest).toBe(pushed.digest);
  });

  it("is Unauthorized without credentials, with OpenShift's message", async () => {
    const reference = `${env[kind]}/${repository}:v1`;
    const error = await failure(trusting.importImage(request(reference)));
    expect(error.reason).toBe("Unauthorized");
    expect(error.message).toBe(`you may not have access to the container image "${reference}"`);
  });

  it("is Unauthorized with a wrong password, which never appears in the message", async () => {
    const reference = `${env[kind]}/${repository}:v1`;
    const error = await failure(
      trusting.importImage(
        request(reference, {
          credentials: [{ username: env.username, password: "hunter2-wrong" }],
        }),
      ),
    );
    expect(error.reason).toBe("Unauthorized");
    expect(error.message).not.toContain("hunter2");
  });

  it("lists tags with the credentials", async () => {
    const tags = await trusting.listTags({
      reference: `${env[kind]}/${repository}`,
      insecure: false,
      credentials,
    });
    expect(tags).toEqual(["v1"]);
  });
});

// A pull secret entry with only an identitytoken (ADR 0031): the real token
// service's refresh-token grant, and the Basic registry that has none.
describe("identity tokens", () => {
  const repository = uniqueRepository("idtoken");
  let pushed: PushedImage;
  const identity = (token: string, registry: string): RefreshTokenCredential => ({
    kind: "refresh-token",
    identityToken: token,
    source: "it/pull",
    entry: registry,
  });
  beforeAll(async () => {
    pushed = await pushImage(targets.token, { repository, tag: "v1", format: "docker" });
    await pushImage(targets.basic, { repository, tag: "v1", format: "docker" });
  });

  it("import from the token registry with the refresh-token grant", async () => {
    const result = await trusting.importImage(
      request(`${env.token}/${repository}:v1`, {
        credentials: [identity(env.identityToken, env.token)],
      }),
    );
    expect(result.image.digest).toBe(pushed.digest);
  });

  it("are refused by the token service when wrong, naming the entry and not the token", async () => {
    const error = await failure(
      trusting.importImage(
        request(`${env.token}/${repository}:v1`, {
          credentials: [identity("wrong-S3CRET", env.token)],
        }),
      ),
    );
    expect(error.reason).toBe("Unauthorized");
    expect(error.message).toMatch(
      new RegExp(
        `^the token service \\S+ refused the identitytoken of pull secret it/pull entry "${env.token}": it is wrong, expired or revoked`,
      ),
    );
    expect(error.message).not.toContain("wrong-S3CRET");
  });

  it("are not accepted by the Basic registry, which the message says", async () => {
    const error = await failure(
      trusting.importImage(
        request(`${env.basic}/${repository}:v1`, {
          credentials: [identity(env.identityToken, env.basic)],
        }),
      ),
    );
    expect(error.reason).toBe("Unauthorized");
    expect(error.message).toBe(
      `registry ${env.basic} does not accept identity tokens: pull secret it/pull entry "${env.basic}" has only an identitytoken (use a username and password there)`,
    );
    expect(error.message).not.toContain(env.identityToken);
  });

  it("the token service answers other grants with unsupported_grant_type", async () => {
    const answer = await fetch(await tokenRealmOf(env.token), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "password", username: "x", password: "y" }),
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error?: string }).error).toBe("unsupported_grant_type");
  });
});

/** The realm of a registry's Bearer challenge (its CA is the test CA). */
function tokenRealmOf(registry: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(`https://${registry}/v2/`, { ca: env.ca }, (response) => {
        response.resume();
        const challenge = parseChallenges(response.headers["www-authenticate"]);
        const realm = challenge.find((c) => c.scheme === "bearer")?.params.realm;
        if (realm) resolve(realm);
        else reject(new Error(`no Bearer challenge from ${registry}`));
      })
      .on("error", reject);
  });
}
