// The image views behind the real aggregator (ADRs 0021, 0022): the operator
// (as its ServiceAccount) serves HTTPS with a certificate it made, writes the
// CA bundle into the APIService, and answers kubectl as the user the API
// server authenticated, authorized by a SubjectAccessReview. The APIService
// points at an ExternalName Service naming localhost (kube-aggregator resolves
// those to https://<externalName>:<port>), so traffic stays on loopback.
// The user is a ServiceAccount bound to view in one namespace, with a real
// token, so every decision is the API server's.
import { execFile } from "node:child_process";
import { request } from "node:https";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PushedIndex, pushImage, pushIndex } from "../support/registry-push.js";
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
import {
  apiServiceAvailable,
  apiServiceCaBundle,
  OPERATOR_NS,
  registerApiService,
  unregisterApiService,
  VIEWS_GROUP,
} from "./support/aggregation.js";
import { testEnv } from "./support/env.js";
import { kubectl, kubectlOk } from "./support/kubectl.js";
import { freePort, type RunningOperator, startOperator } from "./support/operator.js";
import { namespaceUser } from "./support/users.js";

const GROUP = VIEWS_GROUP;
const SEED_COMMAND = `kubectl get istag busybox:latest -o jsonpath="{range .image.dockerImageManifests[*]}{.os}/{.architecture}{'\\n'}{end}"`;
const PLATFORMS = [
  { os: "linux", architecture: "amd64" },
  { os: "linux", architecture: "arm64" },
  { os: "linux", architecture: "s390x" },
];

let operator: RunningOperator;
let servingPort: number;
let mine: string; // the viewer's namespace
let theirs: string; // another tenant's
let index: PushedIndex;
let viewerKubeconfig: string;

/** kubectl as the namespace-scoped viewer (its context's namespace is `mine`). */
function asViewer(args: string[]) {
  return kubectl(["--kubeconfig", viewerKubeconfig, ...args]);
}

beforeAll(async () => {
  mine = await createNamespace("views-mine");
  theirs = await createNamespace("views-theirs");
  // the APIService exists before the operator starts: its first pass writes the CA bundle
  servingPort = await freePort();
  registerApiService(servingPort);
  operator = await startOperator(["--serving-addr", `127.0.0.1:${servingPort}`]);

  const repository = uniqueRepository("views-busybox");
  index = await pushIndex(targets.plain, {
    repository,
    tag: "latest",
    format: "oci",
    platforms: PLATFORMS,
  });
  const single = uniqueRepository("views-single");
  await pushImage(targets.plain, { repository: single, tag: "v1" });
  const preserve = { importPolicy: { insecure: true, importMode: "PreserveOriginal" } };
  for (const ns of [mine, theirs]) {
    await createStream(ns, "busybox", {
      tags: [dockerTag("latest", `${testEnv.registry}/${repository}:latest`, preserve)],
    });
    await waitForImage(ns, "busybox", "latest");
  }
  await createStream(mine, "app", {
    tags: [
      dockerTag("v1", `${testEnv.registry}/${single}:v1`, { importPolicy: { insecure: true } }),
    ],
  });
  await waitForImage(mine, "app", "v1");
  viewerKubeconfig = namespaceUser(mine, "viewer", "view");
  await eventually(
    "the APIService to be Available with the operator's CA bundle",
    async () => apiServiceAvailable(),
    60_000,
  );
  // aggregation of view is asynchronous
  await eventually(
    "the view role to include the image views",
    async () =>
      asViewer(["auth", "can-i", "get", `imagestreamtags.${GROUP}`]).stdout.trim() === "yes"
        ? true
        : undefined,
    30_000,
  );
}, 180_000);

afterAll(async () => {
  // an APIService nobody answers blocks namespace deletion for the files after this one
  unregisterApiService();
  await operator?.stop();
  if (operator) expect(saveOperatorLog(operator, "image-views")).toEqual([]);
  for (const ns of [mine, theirs]) if (ns) await deleteNamespace(ns);
});

describe("kubectl auth can-i, as a viewer of one namespace", () => {
  it.each([
    ["get", `imagestreamtags.${GROUP}`, "mine", "yes"],
    ["list", `imagestreamtags.${GROUP}`, "mine", "yes"],
    ["get", `imagestreamimages.${GROUP}`, "mine", "yes"],
    ["get", `imagestreamtags.${GROUP}`, "theirs", "no"],
    ["list", `imagestreamimages.${GROUP}`, "theirs", "no"],
    ["create", `imagestreamtags.${GROUP}`, "mine", "no"],
    ["list", "images.image.openshift.io", "cluster", "no"],
    ["get", "images.image.openshift.io", "cluster", "no"],
  ] as const)("%s %s in %s: %s", (verb, resource, where, answer) => {
    const scope = where === "cluster" ? [] : ["-n", where === "mine" ? mine : theirs];
    expect(asViewer(["auth", "can-i", verb, resource, ...scope]).stdout.trim()).toBe(answer);
  });
});

describe("reads as a viewer of one namespace", () => {
  it("the seed's command prints the platforms of busybox:latest, verbatim", async () => {
    const { stdout } = await promisify(execFile)("bash", ["-c", SEED_COMMAND], {
      env: { ...process.env, KUBECONFIG: viewerKubeconfig },
    });
    expect(stdout.trim().split("\n")).toEqual(PLATFORMS.map((p) => `${p.os}/${p.architecture}`));
  });

  it("kubectl get istag lists the namespace's tags with useful columns", () => {
    const run = asViewer(["get", "istag"]);
    expect(run.stderr).toBe("");
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]?.split(/\s{2,}/)).toEqual(["NAME", "IMAGE REFERENCE", "UPDATED"]);
    const rows = lines.slice(1).map((l) => l.split(/\s+/));
    expect(rows.map((r) => r[0])).toEqual(["app:v1", "busybox:latest"]);
    expect(rows[1]?.[1]?.endsWith(`@${index.digest}`)).toBe(true);
    expect(rows[1]?.[2]).toMatch(/^\d+[sm]$/);
    const wide = asViewer(["get", "istag", "busybox:latest", "-o", "wide"]).stdout;
    expect(wide).toContain("linux/amd64,linux/arm64,linux/s390x");
  });

  it("get -o json has OpenShift's ImageStreamTag shape with the Image inside", () => {
    const tag = JSON.parse(asViewer(["get", "istag", "app:v1", "-o", "json"]).stdout);
    expect(tag).toMatchObject({
      kind: "ImageStreamTag",
      apiVersion: `${GROUP}/v1`,
      metadata: { name: "app:v1", namespace: mine },
      tag: { name: "v1" },
      lookupPolicy: { local: false },
      image: {
        dockerImageMetadataVersion: "1.0",
        dockerImageMetadata: { kind: "DockerImage", Architecture: "amd64", Os: "linux" },
      },
    });
    expect(tag.image.dockerImageLayers.length).toBeGreaterThan(0);
    expect(tag.image.dockerImageReference).toContain("@sha256:");
  });

  it("kubectl describe istag (the seed's oc describe) prints the image metadata", () => {
    const run = asViewer(["describe", "istag", "app:v1"]);
    expect(run.stderr).toBe("");
    const out = run.stdout;
    for (const field of ["Name:", "app:v1", "Docker Image Metadata:", "Architecture:", "amd64"])
      expect(out).toContain(field);
  });

  it("isimage by a unique digest prefix", () => {
    const prefix = index.digest.slice(0, "sha256:".length + 12);
    const image = JSON.parse(
      asViewer(["get", "isimage", `busybox@${prefix}`, "-o", "json"]).stdout,
    );
    expect(image.metadata.name).toBe(`busybox@${index.digest}`);
    expect(image.image.dockerImageManifests).toHaveLength(PLATFORMS.length);
  });

  it("a tag that does not exist is NotFound", () => {
    const run = asViewer(["get", "istag", "busybox:nope"]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`imagestreamtags.${GROUP} "busybox:nope" not found`);
  });

  it("another namespace's tags are Forbidden, though they exist", () => {
    for (const args of [
      ["get", "istag", "busybox:latest"],
      ["get", "istag"],
      ["get", "isimage"],
    ]) {
      const run = asViewer([...args, "-n", theirs]);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain("Forbidden");
      expect(run.stderr).toContain(`User "system:serviceaccount:${mine}:viewer" cannot`);
    }
    // the admin reads them: the other tenant's data is really there
    expect(kubectlOk(["get", "istag", "busybox:latest", "-n", theirs, "-o", "name"]).trim()).toBe(
      `imagestreamtag.${GROUP}/busybox:latest`,
    );
  });

  it("the cluster-wide Image list is Forbidden", () => {
    const run = asViewer(["get", "images.image.openshift.io"]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("Forbidden");
  });

  it("writes are refused: the views are read-only", () => {
    const run = asViewer(["delete", "istag", "busybox:latest"]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/Forbidden|MethodNotAllowed|not supported/);
  });
});

describe("the HTTPS server itself", () => {
  /** GET on the operator directly, not through the aggregator */
  function direct(
    path: string,
    headers: Record<string, string>,
    cert?: { cert: string; key: string },
  ) {
    return new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: servingPort,
          path,
          headers,
          rejectUnauthorized: false,
          ...(cert ?? {}),
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  it("answers its health check without credentials", async () => {
    expect(await direct("/healthz", {})).toBe(200);
  });

  it("ignores user headers from a client that is not the front proxy", async () => {
    const path = `/apis/${GROUP}/v1/namespaces/${theirs}/imagestreamtags`;
    const forged = { "X-Remote-User": "admin", "X-Remote-Group": "system:masters" };
    expect(await direct(path, forged)).toBe(401);
    // a client certificate of the cluster CA (the admin's) is not the front proxy's either
    const admin = kubectlOk(["config", "view", "--minify", "--raw", "-o", "json"]);
    const user = JSON.parse(admin).users[0].user;
    const pem = (b64: string) => Buffer.from(b64, "base64").toString();
    const cert = { cert: pem(user["client-certificate-data"]), key: pem(user["client-key-data"]) };
    expect(await direct(path, forged, cert)).toBe(401);
  });

  it("serves the certificate whose CA the operator wrote into the APIService", () => {
    const bundle = apiServiceCaBundle();
    const secret = kubectlOk([
      ...["get", "secret", "imagestream-operator-serving-cert", "-n", OPERATOR_NS],
      ...["-o", "jsonpath={.data.ca-bundle\\.crt}"],
    ]);
    expect(bundle).not.toBe("");
    expect(bundle).toBe(secret);
  });
});
