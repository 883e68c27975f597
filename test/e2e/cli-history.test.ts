// The plugin's image views, history and rollback as processes (dist/cli/main.js
// with the admin kubeconfig) against the real API server and aggregator, the
// real operator (its ServiceAccount, serving the views API) and the plain-HTTP
// registry: describe istag / isimage in oc's layout, get istag equal to the
// views API's objects (and built by the plugin when that API is gone), history,
// and rollback / rollback --undo followed by a triggered Deployment at each step.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createWorkload,
  readWorkload,
  triggersJson,
  waitForTagImage,
  waitForWorkload,
} from "../../bench/trigger-cluster.js";
import {
  type PushedImage,
  type PushedIndex,
  pushImage,
  pushIndex,
} from "../support/registry-push.js";
import {
  createNamespace,
  createStream,
  deleteNamespace,
  dockerTag,
  eventually,
  getStream,
  saveOperatorLog,
  sleep,
  targets,
  uniqueRepository,
  waitForImage,
} from "./imports-support.js";
import {
  apiServiceAvailable,
  registerApiService,
  unregisterApiService,
  VIEWS_GROUP,
} from "./support/aggregation.js";
import { CLI_MAIN, cli } from "./support/cli.js";
import { testEnv } from "./support/env.js";
import { kubectl, kubectlOk } from "./support/kubectl.js";
import { freePort, type RunningOperator, startOperator } from "./support/operator.js";
import { namespaceUser } from "./support/users.js";

const SCHEDULED_SECONDS = 2;
const PLATFORMS = [
  { os: "linux", architecture: "amd64" },
  { os: "linux", architecture: "arm64" },
  { os: "linux", architecture: "s390x" },
];
const SEED_TEMPLATE = "{range .image.dockerImageManifests[*]}{.os}/{.architecture}{'\\n'}{end}";
const PIN_ANNOTATION = "imagestream-operator.io/pinned-tags";

let operator: RunningOperator;
let ns: string;
/** kubeconfigs of ServiceAccounts bound to the aggregated view and edit roles in ns */
let viewer: string;
let editor: string;
const as = (user: string, ...args: string[]) => cli(...args, "--kubeconfig", user);
let index: PushedIndex;
let python: PushedImage;
const pythonRepo = uniqueRepository("hist-python");
const appRepo = uniqueRepository("hist-app");
const insecure = { importPolicy: { insecure: true } };

/** kubectl (not the plugin) reading the views API, as the admin. */
function viewJson(...args: string[]): unknown {
  return JSON.parse(kubectlOk(["get", ...args, "-n", ns, "-o", "json"]));
}

beforeAll(async () => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} missing: run \`make build\` first`);
  ns = await createNamespace("cli-history");
  const servingPort = await freePort();
  registerApiService(servingPort);
  operator = await startOperator([
    ...["--serving-addr", `127.0.0.1:${servingPort}`],
    ...["--scheduled-import-seconds", String(SCHEDULED_SECONDS)],
    // its own namespace only: the scheduled-import cap (60 a minute) is per
    // operator, and other suites' scheduled tags running beside this one
    // once took this suite's checks past their 30 s wait
    ...["--namespaces", ns],
  ]);
  python = await pushImage(targets.plain, {
    repository: pythonRepo,
    tag: "3.5",
    layerCount: 3,
    entrypoint: ["container-entrypoint"],
    cmd: ["/bin/sh", "-c", "$STI_SCRIPTS_PATH/usage"],
    workingDir: "/opt/app-root/src",
    user: "1001",
    exposedPorts: ["8080/tcp"],
    labels: { "build-date": "20170801" },
    env: ["PATH=/usr/bin:/bin", "STI_SCRIPTS_PATH=/usr/libexec/s2i"],
  });
  const busyboxRepo = uniqueRepository("hist-busybox");
  index = await pushIndex(targets.plain, {
    repository: busyboxRepo,
    tag: "latest",
    format: "oci",
    platforms: PLATFORMS,
  });
  await createStream(ns, "python", {
    tags: [dockerTag("3.5", `${testEnv.registry}/${pythonRepo}:3.5`, insecure)],
  });
  await createStream(ns, "busybox", {
    tags: [
      dockerTag("latest", `${testEnv.registry}/${busyboxRepo}:latest`, {
        importPolicy: { insecure: true, importMode: "PreserveOriginal" },
      }),
    ],
  });
  await waitForImage(ns, "python", "3.5");
  await waitForImage(ns, "busybox", "latest");
  await eventually(
    "the views APIService to be Available",
    async () => apiServiceAvailable(),
    60_000,
  );
  viewer = namespaceUser(ns, "viewer", "view");
  editor = namespaceUser(ns, "editor", "edit");
  // aggregation into view and edit is asynchronous
  const can = (user: string, verb: string, resource: string) =>
    kubectl(["--kubeconfig", user, "auth", "can-i", verb, resource]).stdout.trim() === "yes";
  await eventually(
    "the aggregated roles to include the image streams and views",
    async () =>
      can(viewer, "get", `imagestreamtags.${VIEWS_GROUP}`) &&
      can(editor, "patch", "imagestreams.image.openshift.io"),
    30_000,
  );
}, 180_000);

afterAll(async () => {
  // an APIService nobody answers blocks namespace deletion for the files after this one
  unregisterApiService();
  await operator?.stop();
  if (operator) expect(saveOperatorLog(operator, "cli-history")).toEqual([]);
  if (ns) await deleteNamespace(ns);
});

describe("describe istag and isimage (seed 6.6.1)", () => {
  it("describe istag/python:3.5 prints oc's fields, in oc's order", async () => {
    const run = await as(viewer, "describe", "istag/python:3.5");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    const keys = lines.filter((l) => /^\S/.test(l)).map((l) => l.slice(0, l.indexOf(":")));
    expect(keys).toEqual([
      "Image Name",
      "Docker Image",
      "Name",
      "Created",
      "Image Size",
      "Image Created",
      "Author",
      "Arch",
      "Entrypoint",
      "Command",
      "Working Dir",
      "User",
      "Exposes Ports",
      "Docker Labels",
      "Environment",
    ]);
    const value = (key: string) => lines.find((l) => l.startsWith(`${key}:`))?.slice(16);
    expect(value("Image Name")).toBe(python.digest);
    expect(value("Docker Image")).toBe(`${testEnv.registry}/${pythonRepo}@${python.digest}`);
    expect(value("Image Size")).toMatch(
      /^\d+(\.\d+)? [kM]?B \(first layer \d+(\.\d+)? [kM]?B, last binary layer /,
    );
    expect(value("Arch")).toBe("amd64");
    expect(value("Entrypoint")).toBe("container-entrypoint");
    expect(value("Command")).toBe("/bin/sh -c $STI_SCRIPTS_PATH/usage");
    expect(value("Working Dir")).toBe("/opt/app-root/src");
    expect(value("User")).toBe("1001");
    expect(value("Exposes Ports")).toBe("8080/tcp");
    expect(value("Docker Labels")).toBe("build-date=20170801");
    expect(value("Environment")).toBe("PATH=/usr/bin:/bin");
    expect(lines.at(-1)).toBe(`${" ".repeat(16)}STI_SCRIPTS_PATH=/usr/libexec/s2i`);
  });

  it("a manifest list lists one os/arch digest line per platform", async () => {
    const run = await cli("describe", "istag", "busybox:latest", "-n", ns);
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines).toContain("Arch:           <none>");
    const at = lines.findIndex((l) => l.startsWith("Manifests:"));
    const block = lines.slice(at, at + PLATFORMS.length).map((l) => l.slice(16));
    expect(block).toEqual(
      index.children.map((c) => `${c.platform.os}/${c.platform.architecture} ${c.digest}`),
    );
  });

  it("describe isimage STREAM@DIGEST, by a unique prefix too", async () => {
    const prefix = python.digest.slice(0, "sha256:".length + 10);
    for (const name of [`isimage/python@${python.digest}`, `isimage/python@${prefix}`]) {
      const run = await cli("describe", name, "-n", ns);
      expect(run.code).toBe(0);
      expect(run.stdout.split("\n")[0]).toBe(`Image Name:     ${python.digest}`);
      expect(run.stdout).toContain("User:           1001");
    }
    const missing = await cli("describe", "isimage/python@sha256:0000000000", "-n", ns);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("not found");
  });
});

describe("get istag: the views API's objects", () => {
  it("the seed's jsonpath command works through the plugin", async () => {
    const run = await as(viewer, "get", "istag", "busybox:latest", `-o=jsonpath=${SEED_TEMPLATE}`);
    expect(run).toEqual({
      code: 0,
      stdout: `${PLATFORMS.map((p) => `${p.os}/${p.architecture}`).join("\n")}\n`,
      stderr: "",
    });
  });

  it("-o json is the object kubectl get istag returns", async () => {
    const run = await as(viewer, "get", "istag", "python:3.5", "-o", "json");
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual(viewJson("istag", "python:3.5"));
    const list = await cli("get", "istag", "-o", "json", "-n", ns);
    const names = JSON.parse(list.stdout).items.map(
      (i: { metadata: { name: string } }) => i.metadata.name,
    );
    expect(names).toEqual(["busybox:latest", "python:3.5"]);
  });

  it("the table has the server's columns", async () => {
    const run = await cli("get", "istag", "-o", "wide", "-n", ns);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]?.split(/\s{3,}/)).toEqual(["NAME", "IMAGE REFERENCE", "UPDATED", "PLATFORMS"]);
    expect(lines[1]).toContain("linux/amd64,linux/arm64,linux/s390x");
  });
});

describe("history and rollback, with a triggered Deployment", () => {
  const pushes: PushedImage[] = [];
  const reference = (p: PushedImage) => `${testEnv.registry}/${appRepo}@${p.digest}`;
  const webImage = async () => (await readWorkload("Deployment", ns, "web")).containers.web;
  const rollsTo = (p: PushedImage, what: string) =>
    waitForWorkload("Deployment", ns, "web", what, (w) => w.containers.web === reference(p));
  async function push(): Promise<PushedImage> {
    const pushed = await pushImage(targets.plain, {
      repository: appRepo,
      tag: "latest",
      layerBytes: 64,
    });
    pushes.push(pushed);
    return pushed;
  }

  beforeAll(async () => {
    const first = await push();
    await createStream(ns, "app", {
      tags: [
        dockerTag("latest", `${testEnv.registry}/${appRepo}:latest`, {
          importPolicy: { insecure: true, scheduled: true },
        }),
      ],
    });
    await waitForTagImage(ns, "app", "latest", first.digest);
    for (let i = 0; i < 2; i++) {
      const next = await push();
      await waitForTagImage(ns, "app", "latest", next.digest); // the schedule picks it up
    }
    await createWorkload("Deployment", ns, {
      name: "web",
      containers: { web: "placeholder:latest" },
      triggers: triggersJson([
        { name: "app:latest", fieldPath: 'spec.template.spec.containers[?(@.name=="web")].image' },
      ]),
    });
    await rollsTo(pushes[2] as PushedImage, "runs the newest push");
  }, 120_000);

  it("history: numbered revisions, newest first, the current one marked", async () => {
    const run = await as(viewer, "history", "app:latest");
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(
      `app:latest: updates automatically from registry ${testEnv.registry}/${appRepo}:latest`,
    );
    const rows = lines.slice(3).map((l) => l.split(/\s{3,}/));
    expect(lines[2]?.split(/\s{3,}/)).toEqual(["REVISION", "CREATED", "DIGEST", "REFERENCE"]);
    expect(rows.map((r) => [r[0], r[2], r[3]])).toEqual([
      ["* 3", pushes[2]?.digest, reference(pushes[2] as PushedImage)],
      ["  2", pushes[1]?.digest, reference(pushes[1] as PushedImage)],
      ["  1", pushes[0]?.digest, reference(pushes[0] as PushedImage)],
    ]);
    expect(rows[0]?.[1]).toMatch(/ ago$/);
  });

  it("rollback --to-revision=1: the tag is pinned and the Deployment rolls back", async () => {
    const [first, , third] = pushes as [PushedImage, PushedImage, PushedImage];
    const run = await as(editor, "rollback", "app:latest", "--to-revision=1");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n").slice(0, 3)).toEqual([
      `Tag app:latest rolled back to revision 1: ${reference(first)} (was revision 3: ${third.digest}).`,
      `Tag app:latest is pinned to that image: it no longer follows its source (updates automatically from registry ${testEnv.registry}/${appRepo}:latest; scheduled, insecure).`,
      "Run 'kubectl imagestream rollback --undo app:latest' to restore the source, the schedule and the import settings.",
    ]);
    // the command returned once the operator recorded it
    const stream = await getStream(ns, "app");
    expect(stream.status?.tags?.[0]?.items?.[0]?.image).toBe(first.digest);
    expect(stream.spec?.tags?.[0]?.from).toEqual({
      kind: "ImageStreamImage",
      name: `app@${first.digest}`,
    });
    expect(
      JSON.parse(stream.metadata.annotations?.[PIN_ANNOTATION] ?? "{}").latest.previous,
    ).toMatchObject({
      from: { kind: "DockerImage", name: `${testEnv.registry}/${appRepo}:latest` },
      importPolicy: { insecure: true, scheduled: true },
    });
    await rollsTo(first, "rolled back to the first push");
  });

  it("a pinned tag is not imported over: a new push changes nothing", async () => {
    const [first] = pushes as [PushedImage];
    const unseen = await push();
    await sleep(3 * SCHEDULED_SECONDS * 1000);
    const stream = await getStream(ns, "app");
    expect(stream.status?.tags?.[0]?.items?.[0]?.image).toBe(first.digest);
    expect(stream.status?.tags?.[0]?.items?.some((i) => i.image === unseen.digest)).toBe(false);
    expect(await webImage()).toBe(reference(first));
    const history = await cli("history", "app:latest", "-n", ns);
    expect(history.stdout.split("\n").slice(1, 3)).toEqual([
      `Pinned by a rollback to ${first.digest} (before it: updates automatically from registry ${testEnv.registry}/${appRepo}:latest).`,
      "Undo with: kubectl imagestream rollback --undo app:latest",
    ]);
  });

  it("rollback --undo restores the source and schedule; the Deployment follows the registry again", async () => {
    const newest = pushes.at(-1) as PushedImage;
    const run = await as(editor, "rollback", "--undo", "app:latest");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split("\n")).toEqual([
      `Tag app:latest is no longer pinned to ${pushes[0]?.digest}: updates automatically from registry ${testEnv.registry}/${appRepo}:latest; scheduled, insecure.`,
      `Tag app:latest imported: ${reference(newest)}`,
    ]);
    const stream = await getStream(ns, "app");
    expect(stream.spec?.tags?.[0]).toMatchObject({
      from: { kind: "DockerImage", name: `${testEnv.registry}/${appRepo}:latest` },
      importPolicy: { insecure: true, scheduled: true },
    });
    expect(stream.metadata.annotations ?? {}).not.toHaveProperty(PIN_ANNOTATION);
    await rollsTo(newest, "follows the registry again");
  });

  it("a new push rolls forward (the schedule is back)", async () => {
    const next = await push();
    await waitForTagImage(ns, "app", "latest", next.digest);
    await rollsTo(next, "rolled forward to the new push");
    const again = await cli("rollback", "--undo", "app:latest", "-n", ns);
    expect(again).toMatchObject({
      code: 1,
      stderr: "error: tag app:latest is not pinned by a rollback: nothing to undo\n",
    });
  });

  it("rollback with no revision goes to the previous image, --to by digest", async () => {
    const previous = pushes.at(-2) as PushedImage;
    const run = await cli("rollback", "app:latest", "-n", ns);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`rolled back to revision`);
    expect(run.stdout).toContain(reference(previous));
    await rollsTo(previous, "rolled back to the previous push");
    const byDigest = pushes[1] as PushedImage;
    const to = await cli(
      "rollback",
      "app:latest",
      `--to=${byDigest.digest.slice(0, 19)}`,
      "-n",
      ns,
    );
    expect(to.code).toBe(0);
    await rollsTo(byDigest, "rolled back by digest");
    // still remembers the source of before the first of these rollbacks
    const undo = await cli("rollback", "--undo", "app:latest", "-n", ns);
    expect(undo.code).toBe(0);
    await rollsTo(pushes.at(-1) as PushedImage, "follows the registry again");
  });
});

describe("without the views API", () => {
  let served: unknown;

  beforeAll(async () => {
    served = viewJson("istag", "python:3.5");
    unregisterApiService();
    // gone, not merely unavailable: the API server no longer knows the path
    const path = `/apis/${VIEWS_GROUP}/v1/namespaces/${ns}/imagestreamtags`;
    await eventually(
      "the views API to be gone",
      async () =>
        /could not find the requested resource/.test(kubectl(["get", "--raw", path]).stderr),
      30_000,
    );
  });

  it("get istag builds the same object from the stream and the Image, and says so", async () => {
    const run = await cli("get", "istag", "python:3.5", "-o", "json", "-n", ns);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      "warning: the image views API (image.imagestream-operator.io/v1) is not installed: built from the image stream and the Image objects you may read\n",
    );
    expect(JSON.parse(run.stdout)).toEqual(served);
  });

  it("a user bound to view, who may not read Images, gets the object without them, and is told", async () => {
    const run = await as(viewer, "get", "istag", "python:3.5", "-o", "json");
    expect(run.code).toBe(0);
    expect(run.stderr.trimEnd().split("\n")).toEqual([
      "warning: the image views API (image.imagestream-operator.io/v1) is not installed: built from the image stream and the Image objects you may read",
      "warning: you may not read images.image.openshift.io (cluster-scoped): image metadata is left out",
    ]);
    const { image: _image, ...withoutImage } = served as Record<string, unknown>;
    expect(JSON.parse(run.stdout)).toEqual(withoutImage);
    const described = await as(viewer, "describe", "istag/python:3.5");
    expect(described.code).toBe(0);
    expect(described.stdout).toContain("Image Size:     <unknown: no image metadata>");
  });

  it("the seed's jsonpath and describe istag still work", async () => {
    const run = await cli(
      "get",
      "istag",
      "busybox:latest",
      `-o=jsonpath=${SEED_TEMPLATE}`,
      "-n",
      ns,
    );
    expect(run.stdout).toBe(`${PLATFORMS.map((p) => `${p.os}/${p.architecture}`).join("\n")}\n`);
    expect(run.stderr).toContain("is not installed");
    const described = await cli("describe", "istag/python:3.5", "-n", ns);
    expect(described.code).toBe(0);
    expect(described.stdout).toContain("User:           1001");
  });
});
