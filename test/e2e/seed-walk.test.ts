// The seed document's procedures (managing-image-streams, 6.6.1 to 6.7.4),
// in its order, as a user types them: `kubectl imagestream ...` (the plugin,
// dist/cli/main.js, as a child process) and plain `kubectl`, against the real
// control plane, the operator (its ServiceAccount) and the test registries.
// Loopback registries stand in for docker.io and the private registries.
// Each step asserts the exit code, what was printed and the cluster state.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImageStream } from "../../src/api/types.js";
import { ANN_ALLOWED_NAMESPACES } from "../../src/reconcile/index.js";
import { type PushedIndex, pushImage, pushIndex } from "../support/registry-push.js";
import {
  createNamespace,
  deleteNamespace,
  eventually,
  getStream,
  registryDigest,
  saveOperatorLog,
  sleep,
  statusTag,
  targets,
  uniqueRepository,
} from "./imports-support.js";
import { type CliResult, cli } from "./support/cli.js";
import { testEnv } from "./support/env.js";
import { kubectl, kubectlOk } from "./support/kubectl.js";
import { type RunningOperator, startOperator } from "./support/operator.js";
import { type RegistryProxy, startRegistryProxy } from "./support/registry-proxy.js";

const REG = testEnv.registry;
const user = testEnv.registryUser;
const password = testEnv.registryPassword;

/** The lines of one tag's block in `describe` output: its name line up to the next tag. */
function tagBlock(describeOutput: string, tag: string): string[] {
  const lines = describeOutput.split("\n");
  const start = lines.findIndex((l) => l === tag || l.startsWith(`${tag} (`));
  if (start < 0) throw new Error(`no block for tag ${tag} in:\n${describeOutput}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l !== "" && !l.startsWith(" "));
  return [lines[start] as string, ...(end < 0 ? rest : rest.slice(0, end))].filter((l) => l !== "");
}

function head(stream: ImageStream, tag: string) {
  return statusTag(stream, tag)?.items?.[0];
}

function authFile(dir: string, name: string, registry: string): string {
  const auth = Buffer.from(`${user}:${password}`).toString("base64");
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ auths: { [registry]: { auth } } }));
  return path;
}

describe("the seed, step by step (6.6.1 - 6.7.4)", () => {
  let operator: RunningOperator;
  let ns: string;
  let other: string;
  let port80: RegistryProxy | undefined;
  const files = mkdtempSync(join(tmpdir(), "seed-walk-"));
  const python = uniqueRepository("seed-python");
  const multi = uniqueRepository("seed-multi");
  const is = (...args: string[]): Promise<CliResult> => cli(...args, "-n", ns);
  const digests: Record<string, string> = {};
  let index: PushedIndex;

  beforeAll(async () => {
    operator = await startOperator();
    ns = await createNamespace("seed");
    other = await createNamespace("seed-other");
    await pushImage(targets.plain, { repository: python, tag: "3.5" });
    await pushImage(targets.plain, { repository: python, tag: "3.6.0", layerCount: 2 });
    digests["3.5"] = await registryDigest(targets.plain, python, "3.5");
    digests["3.6.0"] = await registryDigest(targets.plain, python, "3.6.0");
    index = await pushIndex(targets.plain, {
      repository: multi,
      tag: "v1",
      format: "oci",
      platforms: [
        { os: "linux", architecture: "amd64" },
        { os: "linux", architecture: "arm64" },
        { os: "linux", architecture: "ppc64le" },
      ],
    });
  });

  afterAll(async () => {
    await port80?.close();
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "seed-walk")).toEqual([]);
    if (ns) await deleteNamespace(ns);
    if (other) await deleteNamespace(other);
  });

  it("6.6.1 describe is: the stream, its tag, the source and the image", async () => {
    const source = `${REG}/${python}:3.5`;
    expect(await is("tag", source, "python:3.5", "--insecure")).toEqual({
      code: 0,
      stdout: `Tag python:3.5 set to ${source}.\n`,
      stderr: "",
    });
    await eventually("python:3.5 imported", async () => head(await getStream(ns, "python"), "3.5"));

    const described = await is("describe", "is/python");
    expect(described.code).toBe(0);
    const lines = described.stdout.split("\n");
    expect(lines.slice(0, 2)).toEqual(["Name:             python", `Namespace:        ${ns}`]);
    expect(lines).toContain("Image Lookup:     local=false");
    expect(lines).toContain("Unique Images:    1");
    expect(lines).toContain("Tags:             1");
    expect(tagBlock(described.stdout, "3.5").slice(0, 4)).toEqual([
      "3.5",
      `  tagged from ${source}`,
      "    will use insecure HTTPS or HTTP connections",
      `  * ${REG}/${python}@${digests["3.5"]}`,
    ]);
  });

  it("6.6.1 describe istag: the image behind python:3.5, in oc's fields", async () => {
    const described = await is("describe", "istag", "python:3.5");
    // stderr may say the views API is not served here (built from the stream and its Image)
    expect(described.code).toBe(0);
    const lines = described.stdout.split("\n");
    const value = (key: string) => lines.find((l) => l.startsWith(`${key}:`))?.slice(16);
    expect(value("Image Name")).toBe(digests["3.5"]);
    expect(value("Docker Image")).toBe(`${REG}/${python}@${digests["3.5"]}`);
    expect(value("Image Size")).toMatch(/^\d+(\.\d+)? [kM]?B \(first layer /);
    expect(value("Arch")).toBe("amd64");
  });

  it("6.6.2 tag to an existing tag: latest gets the image 3.5 has", async () => {
    const result = await is("tag", "python:3.5", "python:latest");
    expect(result).toEqual({
      code: 0,
      stdout: `Tag python:latest set to python@${digests["3.5"]}.\n`,
      stderr: "",
    });
    const stream = await eventually("latest resolved", async () => {
      const s = await getStream(ns, "python");
      return head(s, "latest")?.image === digests["3.5"] ? s : undefined;
    });
    expect(stream.spec?.tags?.find((t) => t.name === "latest")?.from).toEqual({
      kind: "ImageStreamImage",
      name: `python@${digests["3.5"]}`,
    });
    const described = await is("describe", "is/python");
    expect(described.stdout.split("\n")).toContain("Tags:             2");
    expect(tagBlock(described.stdout, "latest").slice(0, 3)).toEqual([
      "latest",
      `  tagged from python@${digests["3.5"]}`,
      `  * ${REG}/${python}@${digests["3.5"]}`,
    ]);
  });

  it("6.6.3 tag an external image (a loopback registry stands in for docker.io)", async () => {
    const source = `${REG}/${python}:3.6.0`;
    expect(await is("tag", source, "python:3.6", "--insecure")).toEqual({
      code: 0,
      stdout: `Tag python:3.6 set to ${source}.\n`,
      stderr: "",
    });
    await eventually("python:3.6 imported", async () => {
      return head(await getStream(ns, "python"), "3.6")?.image === digests["3.6.0"];
    });
  });

  it("6.6.4 update a tag: latest moves to 3.6, 3.5's image stays in its history", async () => {
    expect(await is("tag", "python:3.6", "python:latest")).toEqual({
      code: 0,
      stdout: `Tag python:latest set to python@${digests["3.6.0"]}.\n`,
      stderr: "",
    });
    const stream = await eventually("latest moved", async () => {
      const s = await getStream(ns, "python");
      return head(s, "latest")?.image === digests["3.6.0"] ? s : undefined;
    });
    expect(statusTag(stream, "latest")?.items?.map((i) => i.image)).toEqual([
      digests["3.6.0"],
      digests["3.5"],
    ]);
  });

  it("6.6.5 remove a tag", async () => {
    expect(await is("tag", "-d", "python:3.6")).toEqual({
      code: 0,
      stdout: `Deleted tag ${ns}/python:3.6.\n`,
      stderr: "",
    });
    const stream = await getStream(ns, "python");
    expect(stream.spec?.tags?.map((t) => t.name).sort()).toEqual(["3.5", "latest"]);
    await eventually("3.6 status dropped", async () => {
      return statusTag(await getStream(ns, "python"), "3.6") === undefined;
    });
  });

  it("6.6.6 --scheduled, and back by omitting it", async () => {
    const source = `${REG}/${python}:3.6.0`;
    expect(await is("tag", source, "python:3.6", "--insecure", "--scheduled")).toEqual({
      code: 0,
      stdout: `Tag python:3.6 set to import ${source} periodically.\n`,
      stderr: "",
    });
    const spec = async () =>
      (await getStream(ns, "python")).spec?.tags?.find((t) => t.name === "3.6");
    expect((await spec())?.importPolicy).toEqual({ insecure: true, scheduled: true });
    const described = await is("describe", "python");
    expect(tagBlock(described.stdout, "3.6")[1]).toBe(
      `  updates automatically from registry ${source}`,
    );

    expect(await is("tag", source, "python:3.6", "--insecure")).toEqual({
      code: 0,
      stdout: `Tag python:3.6 set to ${source}.\n`,
      stderr: "",
    });
    expect((await spec())?.importPolicy).toEqual({ insecure: true });
  });

  it("6.7.1 a private registry through a kubernetes.io/dockerconfigjson Secret made with kubectl", async () => {
    const repository = uniqueRepository("seed-private");
    await pushImage(targets.basic, { repository, tag: "v1" });
    const digest = await registryDigest(targets.basic, repository, "v1");
    const from = `${testEnv.registryBasic}/${repository}:v1`;

    const refused = await is("import-image", "private:v1", `--from=${from}`, "--confirm");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `error: tag private:v1 failed: Import failed (Unauthorized): you may not have access to the container image "${from}"; pull secrets: no pull secret in the namespace\n`,
    );

    const config = authFile(files, "config.json", testEnv.registryBasic);
    kubectlOk([
      "create",
      "secret",
      "generic",
      "private-pull",
      `--from-file=.dockerconfigjson=${config}`,
      "--type=kubernetes.io/dockerconfigjson",
      "-n",
      ns,
    ]);
    expect(await is("import-image", "private:v1")).toEqual({
      code: 0,
      stdout: `Tag private:v1 imported: ${testEnv.registryBasic}/${repository}@${digest}\n`,
      stderr: "",
    });
  });

  it("6.7.1.1 a private registry through Podman's auth.json (kubernetes.io/podmanconfigjson)", async () => {
    const repository = uniqueRepository("seed-podman");
    await pushImage(targets.token, { repository, tag: "v1" });
    const digest = await registryDigest(targets.token, repository, "v1");
    const from = `${testEnv.registryToken}/${repository}:v1`;

    const refused = await is("import-image", "podman:v1", `--from=${from}`, "--confirm");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Import failed (Unauthorized)");
    expect(refused.stderr).toContain(`${ns}/private-pull: no entry for ${testEnv.registryToken}`);

    const authJson = authFile(files, "auth.json", testEnv.registryToken);
    kubectlOk([
      "create",
      "secret",
      "generic",
      "podman-pull",
      `--from-file=${authJson}`,
      "--type=kubernetes.io/podmanconfigjson",
      "-n",
      ns,
    ]);
    const secret = JSON.parse(kubectlOk(["get", "secret", "podman-pull", "-n", ns, "-o", "json"]));
    expect(Object.keys(secret.data)).toEqual(["auth.json"]);
    expect(await is("import-image", "podman:v1")).toEqual({
      code: 0,
      stdout: `Tag podman:v1 imported: ${testEnv.registryToken}/${repository}@${digest}\n`,
      stderr: "",
    });
  });

  it("6.7.1 a credential keyed host:80 is used for a plain-HTTP registry named without a port", async () => {
    // a loopback address of its own, port 80, in front of the plain registry, asking for basic auth
    const host = `127.80.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    try {
      port80 = await startRegistryProxy(REG, { listen: { host, port: 80 } });
    } catch (error) {
      throw new Error(
        `this step listens on ${host}:80, which needs root or net.ipv4.ip_unprivileged_port_start <= 80: ${String(error)}`,
      );
    }
    const expected = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    port80.setFault((req) =>
      req.authorization === expected
        ? undefined
        : {
            status: 401,
            headers: { "www-authenticate": 'Basic realm="seed"' },
            body: '{"errors":[{"code":"UNAUTHORIZED"}]}',
          },
    );
    const repository = uniqueRepository("seed-port80");
    await pushImage(targets.plain, { repository, tag: "v1" });
    const digest = await registryDigest(targets.plain, repository, "v1");
    const from = `${host}/${repository}:v1`;

    // keyed without the port, the credential is for HTTPS only: not sent, and the message says why
    kubectlOk([
      "create",
      "secret",
      "docker-registry",
      "port80-https",
      `--docker-server=${host}`,
      `--docker-username=${user}`,
      `--docker-password=${password}`,
      "-n",
      ns,
    ]);
    const refused = await is(
      "import-image",
      "port80:v1",
      `--from=${from}`,
      "--insecure",
      "--confirm",
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `${ns}/port80-https: its credentials for ${host} were refused, or not sent: entry "${host}" is only sent over HTTPS (key it "${host}:80" for a plain-HTTP registry)`,
    );
    expect(port80.requests.some((r) => r.status !== 401)).toBe(false);

    kubectlOk([
      "create",
      "secret",
      "docker-registry",
      "port80-http",
      `--docker-server=${host}:80`,
      `--docker-username=${user}`,
      `--docker-password=${password}`,
      "-n",
      ns,
    ]);
    expect(await is("import-image", "port80:v1")).toEqual({
      code: 0,
      stdout: `Tag port80:v1 imported: ${host}/${repository}@${digest}\n`,
      stderr: "",
    });
    expect(port80.requests.some((r) => r.path.includes("/manifests/") && r.status === 200)).toBe(
      true,
    );
  });

  it("6.7.2 PreserveOriginal: the list and every platform, printed as the seed's Manifests block", async () => {
    const from = `${REG}/${multi}:v1`;
    const result = await is(
      "import-image",
      "multi:v1",
      `--from=${from}`,
      "--import-mode=PreserveOriginal",
      "--reference-policy=local",
      "--insecure",
      "--confirm",
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const platforms = index.children.map((c) => `${c.platform.os}/${c.platform.architecture}`);
    const width = Math.max(...platforms.map((p) => p.length)) + 2;
    expect(result.stdout.split("\n")).toEqual([
      `Tag multi:v1 imported: ${REG}/${multi}@${index.digest}`,
      ...index.children.map(
        (c, i) =>
          `${i === 0 ? "Manifests:  " : "            "}${(platforms[i] as string).padEnd(width)}${c.digest}`,
      ),
      "",
    ]);
    const stream = await getStream(ns, "multi");
    expect(head(stream, "v1")?.image).toBe(index.digest);
    expect(stream.spec?.tags?.[0]?.importPolicy).toEqual({
      importMode: "PreserveOriginal",
      insecure: true,
    });
    expect(stream.spec?.tags?.[0]?.referencePolicy).toEqual({ type: "Local" });

    // describe istag lists the same platforms (seed 6.6.1 on a manifest list)
    const described = await is("describe", "istag/multi:v1");
    expect(described.code).toBe(0);
    const manifests = described.stdout
      .split("\n")
      .filter((l) => /^(Manifests:)?\s+[a-z0-9]+\/[a-z0-9]+(\/\S+)? sha256:[0-9a-f]{64}$/.test(l));
    expect(manifests.map((l) => l.trim().split(/\s+/).slice(-2))).toEqual(
      index.children.map((c) => [`${c.platform.os}/${c.platform.architecture}`, c.digest]),
    );
  });

  it("6.7.2.1 --scheduled=true keeps the list re-imported", async () => {
    const from = `${REG}/${multi}:v1`;
    const result = await is(
      "import-image",
      "multi:v1",
      `--from=${from}`,
      "--import-mode=PreserveOriginal",
      "--scheduled=true",
    );
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe(
      `Tag multi:v1 imported: ${REG}/${multi}@${index.digest}`,
    );
    expect((await getStream(ns, "multi")).spec?.tags?.[0]?.importPolicy).toEqual({
      importMode: "PreserveOriginal",
      insecure: true,
      scheduled: true,
    });
  });

  it("6.7.3 omitting --import-mode goes back to one platform (Legacy), and says so", async () => {
    const from = `${REG}/${multi}:v1`;
    const amd64 = index.children.find((c) => c.platform.architecture === "amd64")?.digest;
    expect(await is("import-image", "multi:v1", `--from=${from}`)).toEqual({
      code: 0,
      stdout:
        "Tag multi:v1 import mode changed from PreserveOriginal to Legacy: one platform of a manifest list is imported (pass --import-mode=PreserveOriginal to keep every platform).\n" +
        `Tag multi:v1 imported: ${REG}/${multi}@${amd64}\n`,
      stderr: "",
    });
    const legacy = await getStream(ns, "multi");
    expect(legacy.spec?.tags?.[0]?.importPolicy?.importMode).toBe("Legacy");
    expect(head(legacy, "v1")?.image).toBe(amd64);

    // and back to every platform
    const again = await is(
      "import-image",
      "multi:v1",
      `--from=${from}`,
      "--import-mode=PreserveOriginal",
    );
    expect(again.code).toBe(0);
    expect(again.stdout.split("\n").slice(0, 2)).toEqual([
      `Tag multi:v1 imported: ${REG}/${multi}@${index.digest}`,
      expect.stringMatching(/^Manifests: {2}linux\/amd64 +sha256:/),
    ]);
    expect(head(await getStream(ns, "multi"), "v1")?.image).toBe(index.digest);
  });

  it("6.7.4 an invalid --import-mode is refused with the seed's message", async () => {
    const result = await is("import-image", "multi:v1", "--import-mode=legacy");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("error: valid ImportMode values are Legacy or PreserveOriginal\n");
  });

  it("import-image on a reference tag says nothing is imported", async () => {
    const source = `${REG}/${python}:3.5`;
    expect((await is("tag", source, "python:ref", "--reference")).code).toBe(0);
    expect(await is("import-image", "python:ref")).toEqual({
      code: 0,
      stdout: `Tag python:ref is a reference to ${source} (reference: true): nothing is imported; the pull spec is used as written.\n`,
      stderr: "",
    });
  });

  it("tag into another namespace: refused while the source stream does not share, done once it does", async () => {
    const refused = await is("tag", "python:3.5", `${other}/python:3.5`);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toBe(
      `error: the operator would refuse tag ${other}/python:3.5: image stream ${ns}/python does not exist or is not shared with namespace "${other}": ` +
        `its owner can share it by adding the annotation ${ANN_ALLOWED_NAMESPACES}: "${other}" (a comma-separated list of namespaces, or "*") ` +
        `to image stream ${ns}/python; nothing was written\n`,
    );
    expect(kubectl(["get", "is", "python", "-n", other]).status).not.toBe(0);

    kubectlOk(["annotate", "is", "python", `${ANN_ALLOWED_NAMESPACES}=${other}`, "-n", ns]);
    expect(await is("tag", "python:3.5", `${other}/python:3.5`)).toEqual({
      code: 0,
      stdout: `Tag ${other}/python:3.5 set to python@${digests["3.5"]}.\n`,
      stderr: "",
    });
    await eventually("the copy in the other namespace", async () => {
      return head(await getStream(other, "python"), "3.5")?.image === digests["3.5"];
    });
  });

  it("set triggers: a Deployment follows python:latest, pauses with --manual, resumes with --auto", async () => {
    kubectlOk(["create", "deployment", "web", "--image=busybox", "-n", ns]);
    const image = () =>
      kubectlOk([
        "get",
        "deployment/web",
        "-n",
        ns,
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
      ]);
    const refOf = (digest: string | undefined) => `${REG}/${python}@${digest}`;

    expect(
      await is("set", "triggers", "deployment/web", "--from-image=python:latest", "-c", "busybox"),
    ).toEqual({
      code: 0,
      stdout: "deployment.apps/web triggers updated\n",
      stderr: "",
    });
    await eventually("web runs python:latest", async () => image() === refOf(digests["3.6.0"]));
    expect(await is("set", "triggers", "deployment/web")).toEqual({
      code: 0,
      stdout: [
        "NAME             TYPE    VALUE                    AUTO",
        "deployments/web  config                           true",
        "deployments/web  image   python:latest (busybox)  true",
        "",
      ].join("\n"),
      stderr: "",
    });

    // the tag moves: the Deployment follows
    expect((await is("tag", "python:3.5", "python:latest")).code).toBe(0);
    await eventually("web follows latest to 3.5", async () => image() === refOf(digests["3.5"]));

    // --manual: the trigger is kept but paused, and so is the Deployment, as oc does
    expect((await is("set", "triggers", "deployment/web", "--manual")).stdout).toBe(
      "deployment.apps/web triggers updated\n",
    );
    expect(kubectlOk(["get", "deployment/web", "-n", ns, "-o", "jsonpath={.spec.paused}"])).toBe(
      "true",
    );
    expect((await is("tag", "python:3.6", "python:latest")).code).toBe(0);
    await eventually("latest moved to 3.6", async () => {
      return head(await getStream(ns, "python"), "latest")?.image === digests["3.6.0"];
    });
    const why = await is("why", "deployment/web");
    expect(why.stdout).toContain(`    Paused: trigger on ${ns}/python:latest is paused`);
    await sleep(2000);
    expect(image()).toBe(refOf(digests["3.5"]));

    expect((await is("set", "triggers", "deployment/web", "--auto")).stdout).toBe(
      "deployment.apps/web triggers updated\n",
    );
    // false is the default: the API server stores it as no field at all
    expect(kubectlOk(["get", "deployment/web", "-n", ns, "-o", "jsonpath={.spec.paused}"])).toBe(
      "",
    );
    await eventually("web follows again", async () => image() === refOf(digests["3.6.0"]));

    expect(
      await is("set", "triggers", "deployment/web", "--from-image=python:latest", "--remove"),
    ).toEqual({ code: 0, stdout: "deployment.apps/web triggers updated\n", stderr: "" });
    const annotations = JSON.parse(
      kubectlOk(["get", "deployment/web", "-n", ns, "-o", "jsonpath={.metadata.annotations}"]) ||
        "{}",
    );
    expect(annotations["image.openshift.io/triggers"]).toBeUndefined();
  }, 400_000); // eleven commands and four waits for the operator: 110-180 s on a loaded 2-core machine
});
