// `kubectl imagestream set image-lookup` against the real API server: the
// plugin as a child process with the admin kubeconfig. Only the stored
// settings are checked here (lookupPolicy.local, the resolve-names
// annotation); what the webhook does with them needs the operator's HTTPS
// server and is not part of this file.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANN_RESOLVE_NAMES } from "../../src/reconcile/image-lookup.js";
import { createNamespace, createStream, deleteNamespace, getStream } from "./imports-support.js";
import { cli, CLI_MAIN as MAIN } from "./support/cli.js";
import { applyJson, kubectlOk } from "./support/kubectl.js";

describe("kubectl imagestream set image-lookup", () => {
  let ns: string;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} missing: run \`make build\` first`);
    ns = await createNamespace("lookup-cli");
    await createStream(ns, "app", {});
    await createStream(ns, "db", { lookupPolicy: { local: true } });
    applyJson(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: ns },
        spec: {
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "web", image: "app:v1" }] },
          },
        },
      },
      "e2e",
    );
  });

  afterAll(async () => {
    if (ns) await deleteNamespace(ns);
  });

  it("prints the namespace's streams as oc does", async () => {
    expect(await cli("set", "image-lookup", "-n", ns)).toEqual({
      code: 0,
      stdout: "NAME  LOCAL\napp   false\ndb    true\n",
      stderr: "",
    });
  });

  it("turns local lookup on and off for a stream", async () => {
    expect(await cli("set", "image-lookup", "app", "-n", ns)).toEqual({
      code: 0,
      stdout: "imagestream.image.openshift.io/app image lookup updated\n",
      stderr: "",
    });
    expect((await getStream(ns, "app")).spec?.lookupPolicy).toEqual({ local: true });
    const again = await cli("set", "image-lookup", "app", "-n", ns);
    expect(again.stdout).toBe("imagestream.image.openshift.io/app image lookup unchanged\n");
    await cli("set", "image-lookup", "app", "--enabled=false", "-n", ns);
    expect((await getStream(ns, "app")).spec?.lookupPolicy).toEqual({ local: false });
  });

  it("sets and removes resolve-names on a Deployment's pod template", async () => {
    const annotation = () =>
      kubectlOk([
        "-n",
        ns,
        "get",
        "deployment",
        "web",
        "-o",
        "jsonpath={.spec.template.metadata.annotations}",
      ]);
    expect(await cli("set", "image-lookup", "deployment/web", "-n", ns)).toEqual({
      code: 0,
      stdout: "deployment.apps/web image lookup updated\n",
      stderr: "",
    });
    expect(JSON.parse(annotation())).toEqual({ [ANN_RESOLVE_NAMES]: "*" });
    const listed = await cli("set", "image-lookup", "deployment/web", "db", "--list", "-n", ns);
    expect(listed.stdout).toBe(
      "NAME                 LOCAL\ndeployment.apps/web  true\ndb                   true\n",
    );
    await cli("set", "image-lookup", "deploy/web", "--enabled=false", "-n", ns);
    expect(annotation()).toBe("");
  });

  it("names what is missing and exits 1", async () => {
    expect(await cli("set", "image-lookup", "deployment/nope", "-n", ns)).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: deployment.apps/nope not found in namespace "${ns}"\n`,
    });
  });
});
