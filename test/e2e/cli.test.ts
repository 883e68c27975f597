// The kubectl plugin end to end: dist/cli/main.js run as a child process with
// the admin kubeconfig, against the real API server, the real operator (its
// ServiceAccount) and the plain-HTTP test registry. The CLI only edits spec
// and reads status; every import here is done by the operator.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage } from "../support/registry-push.js";
import {
  createNamespace,
  deleteNamespace,
  eventually,
  getStream,
  registryDigest,
  statusTag,
  targets,
  uniqueRepository,
} from "./imports-support.js";
import { cli, exec, CLI_MAIN as MAIN } from "./support/cli.js";
import { testEnv } from "./support/env.js";
import { applyJson, kubectlOk, repoRoot } from "./support/kubectl.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

describe("kubectl imagestream", () => {
  let operator: RunningOperator;
  let ns: string;
  const repository = uniqueRepository("cli");
  const source = `${testEnv.registry}/${repository}:v1`;
  let first: string;
  let second: string;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} missing: run \`make build\` first`);
    operator = await startOperator();
    ns = await createNamespace("cli");
    await pushImage(targets.plain, { repository, tag: "v1" });
    first = await registryDigest(targets.plain, repository, "v1");
  });

  afterAll(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  it("tag: sets a container image source and creates the stream; the operator imports it", async () => {
    const result = await cli(
      "tag",
      source,
      "app:v1",
      "--insecure",
      "--import-mode=PreserveOriginal",
      "-n",
      ns,
    );
    expect(result).toEqual({ code: 0, stdout: `Tag app:v1 set to ${source}.\n`, stderr: "" });
    const tag = (await getStream(ns, "app")).spec?.tags?.find((t) => t.name === "v1");
    expect(tag?.from).toEqual({ kind: "DockerImage", name: source });
    expect(tag?.importPolicy).toEqual({ insecure: true, importMode: "PreserveOriginal" });
    // the operator imports it on its own: `tag` does not wait
    const imported = await eventually("app:v1 imported", async () => {
      const head = statusTag(await getStream(ns, "app"), "v1")?.items?.[0];
      return head?.image === first ? head : undefined;
    });
    expect(imported.dockerImageReference).toBe(`${testEnv.registry}/${repository}@${first}`);
  });

  it("import-image: re-imports synchronously, prints the new digest, keeps the tag's settings", async () => {
    await pushImage(targets.plain, { repository, tag: "v1", layerCount: 3 });
    second = await registryDigest(targets.plain, repository, "v1");
    expect(second).not.toBe(first);

    // without the flag the mode would go back to Legacy, as the seed says (seed-walk.test.ts)
    const result = await cli("import-image", "app:v1", "--import-mode=PreserveOriginal", "-n", ns);
    expect(result).toEqual({
      code: 0,
      stdout: `Tag app:v1 imported: ${testEnv.registry}/${repository}@${second}\n`,
      stderr: "",
    });
    // already recorded when the command returns
    const stream = await getStream(ns, "app");
    expect(statusTag(stream, "v1")?.items?.map((i) => i.image)).toEqual([second, first]);
    const tag = stream.spec?.tags?.find((t) => t.name === "v1");
    expect(tag?.importPolicy).toEqual({ insecure: true, importMode: "PreserveOriginal" });
    expect(tag?.generation).toBeGreaterThan(0);
  });

  it("describe: shows the source and the history, newest first, with digests and ages", async () => {
    const result = await cli("describe", "is/app", "-n", ns);
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines.slice(0, 2)).toEqual(["Name:             app", `Namespace:        ${ns}`]);
    expect(lines).toContain("Image Lookup:     local=false");
    expect(lines).toContain("Unique Images:    2");
    const block = lines.slice(lines.indexOf("v1"));
    expect(block.slice(0, 5)).toEqual([
      "v1",
      `  tagged from ${source}`,
      "    will use insecure HTTPS or HTTP connections",
      "    imports every platform of a manifest list (PreserveOriginal)",
      "",
    ]);
    expect(block[5]).toBe(`  * ${testEnv.registry}/${repository}@${second}`);
    expect(block[6]).toMatch(
      new RegExp(`^ {6}(\\d+ seconds?|Less than a second|About a minute) ago   ${second}$`),
    );
    expect(block[7]).toBe(`    ${testEnv.registry}/${repository}@${first}`);
    expect(block[8]).toMatch(new RegExp(` ago   ${first}$`));
  });

  it("tag: copies a stream tag's current image into a new stream", async () => {
    const result = await cli("tag", "app:v1", "copy:v1", "-n", ns);
    expect(result).toEqual({ code: 0, stdout: `Tag copy:v1 set to app@${second}.\n`, stderr: "" });
    expect((await getStream(ns, "copy")).spec?.tags?.[0]?.from).toEqual({
      kind: "ImageStreamImage",
      name: `app@${second}`,
    });
    const head = await eventually("copy:v1 resolved", async () => {
      return statusTag(await getStream(ns, "copy"), "v1")?.items?.[0];
    });
    expect(head.image).toBe(second);
  });

  it("tag -d: deletes the spec tag, and the operator drops its status", async () => {
    const result = await cli("tag", "-d", "copy:v1", "-n", ns);
    expect(result).toEqual({ code: 0, stdout: `Deleted tag ${ns}/copy:v1.\n`, stderr: "" });
    expect((await getStream(ns, "copy")).spec?.tags ?? []).toEqual([]);
    await eventually("copy:v1 status dropped", async () => {
      return statusTag(await getStream(ns, "copy"), "v1") === undefined;
    });
    const again = await cli("tag", "-d", "copy:v1", "-n", ns);
    expect(again).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: destination tag ${ns}/copy:v1 does not exist.\n`,
    });
  });

  it("import-image: a failed import exits non-zero with the reason", async () => {
    const missing = `${testEnv.registry}/${repository}-missing:v1`;
    const refused = await cli("import-image", "app:gone", `--from=${missing}`, "-n", ns);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `error: the tag "gone" does not exist on the image stream, pass --confirm to create it from "${missing}"\n`,
    );

    const result = await cli(
      "import-image",
      "app:gone",
      `--from=${missing}`,
      "--insecure",
      "--confirm",
      "-n",
      ns,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^error: tag app:gone failed: Import failed \(NotFound\): .+\n$/);
    const described = await cli("describe", "app", "-n", ns);
    expect(described.stdout).toContain("  ! error: Import failed (NotFound): ");
  });

  it("why: explains each image trigger of a Deployment with the followed tag's import state", async () => {
    const fieldPath = (name: string) => `spec.template.spec.containers[?(@.name=="${name}")].image`;
    const triggers = [
      { from: { kind: "ImageStreamTag", name: "app:v1" }, fieldPath: fieldPath("web") },
      { from: { kind: "ImageStreamTag", name: "app:gone" }, fieldPath: fieldPath("side") },
    ];
    const applied = applyJson(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
          name: "web",
          namespace: ns,
          annotations: { "image.openshift.io/triggers": JSON.stringify(triggers) },
        },
        spec: {
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: {
              containers: [
                { name: "web", image: "busybox" },
                { name: "side", image: "busybox" },
              ],
            },
          },
        },
      },
      "cli-e2e",
    );
    expect(applied.status, applied.stderr).toBe(0);
    const current = `${testEnv.registry}/${repository}@${second}`;
    await eventually("the trigger sets the web container", async () => {
      const image = kubectlOk([
        "get",
        "deployment/web",
        "-n",
        ns,
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
      ]);
      return image === current;
    });

    const result = await cli("why", "deployment/web", "-n", ns);
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines.slice(0, 4)).toEqual([
      `deployment/web in namespace ${ns}: 2 image triggers`,
      "",
      `[0] container "web" follows ${ns}/app:v1`,
      `    UpToDate: container "web" already runs ${ns}/app:v1 (${current})`,
    ]);
    expect(lines[4]).toMatch(/^ {4}tag: \* \S+ \(recorded .+ ago\)$/);
    expect(lines[4]).toContain(current);
    expect(lines.slice(6, 8)).toEqual([
      `[1] container "side" follows ${ns}/app:gone`,
      `    NoImage: image stream tag ${ns}/app:gone has no image yet`,
    ]);
    expect(lines[8]).toMatch(/^ {4}tag: ! error: Import failed \(NotFound\): /);
  });

  it("reports a missing stream on stderr with exit 1", async () => {
    expect(await cli("describe", "nope", "-n", ns)).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: image stream "${ns}/nope" not found\n`,
    });
    expect(await cli("import-image", "nope", "-n", ns)).toEqual({
      code: 1,
      stdout: "",
      stderr: 'error: no image stream named "nope" exists, pass --confirm to create and import\n',
    });
  });

  it("runs as a kubectl plugin from bin/", async () => {
    const result = await exec("kubectl", ["imagestream", "describe", "app", "-n", ns], {
      PATH: `${join(repoRoot, "bin")}:${process.env.PATH}`,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Name: {13}app\n/);
  });

  it("import-image --all: imports every tag of a repository into a new stream", async () => {
    const bulk = `${repository}-bulk`;
    const digests = new Map<string, string>();
    for (const tag of ["1.0", "2.0"]) {
      await pushImage(targets.plain, { repository: bulk, tag });
      digests.set(tag, await registryDigest(targets.plain, bulk, tag));
    }
    const from = `${testEnv.registry}/${bulk}`;
    const result = await cli(
      "import-image",
      "bulk",
      "--all",
      `--from=${from}`,
      "--confirm",
      "--insecure",
      "-n",
      ns,
    );
    expect(result).toEqual({
      code: 0,
      stdout: [...digests].map(([tag, d]) => `Tag bulk:${tag} imported: ${from}@${d}\n`).join(""),
      stderr: "",
    });
    const stream = await getStream(ns, "bulk");
    expect(stream.spec).toEqual({ dockerImageRepository: from });
    expect(stream.metadata.annotations?.["openshift.io/image.insecureRepository"]).toBe("true");
  });

  it("import-image: times out, naming the cause, when no operator answers", async () => {
    await operator.stop();
    const result = await cli(
      "import-image",
      "app:v1",
      "--import-mode=PreserveOriginal",
      "--timeout=2s",
      "-n",
      ns,
    );
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "error: tag app:v1: timed out after 2s: the operator did not pick up the request (is the imagestream operator running?)\n",
    });
  });
});
