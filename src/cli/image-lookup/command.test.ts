import { describe, expect, it } from "vitest";
import type { ImageStream } from "../../api/types.js";
import { ANN_RESOLVE_NAMES } from "../../reconcile/image-lookup.js";
import type { LookupApi } from "./api.js";
import { parseImageLookupArgs, runImageLookupWith } from "./command.js";
import { lookupPatch } from "./plan.js";
import { type LookupTarget, targetLabel } from "./targets.js";

/** An in-memory namespace: objects by label, merge patches recorded. */
class FakeApi implements LookupApi {
  readonly patches: { label: string; patch: Record<string, unknown> }[] = [];
  constructor(readonly objects: Map<string, unknown>) {}
  async listStreams(): Promise<ImageStream[]> {
    return [...this.objects.entries()]
      .filter(([label]) => label.startsWith("imagestream."))
      .map(([, object]) => object as ImageStream);
  }
  async read(target: LookupTarget): Promise<unknown> {
    return this.objects.get(targetLabel(target));
  }
  async mergePatch(
    target: LookupTarget,
    _ns: string,
    patch: Record<string, unknown>,
  ): Promise<void> {
    this.patches.push({ label: targetLabel(target), patch });
  }
}

function streamObject(name: string, local?: boolean): ImageStream {
  return { metadata: { name }, spec: local === undefined ? {} : { lookupPolicy: { local } } };
}

function namespace() {
  return new FakeApi(
    new Map<string, unknown>([
      ["imagestream.image.openshift.io/web", streamObject("web", false)],
      ["imagestream.image.openshift.io/app", streamObject("app", true)],
      ["imagestream.image.openshift.io/db", streamObject("db")],
      [
        "deployment.apps/front",
        { spec: { template: { metadata: { annotations: { [ANN_RESOLVE_NAMES]: "*" } } } } },
      ],
    ]),
  );
}

async function invoke(api: LookupApi, args: string[], values: Record<string, unknown> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
  const code = await runImageLookupWith(api, "team", parseImageLookupArgs(args, values), io);
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe("set image-lookup", () => {
  it("with no arguments, prints every stream of the namespace, sorted", async () => {
    const api = namespace();
    expect(await invoke(api, [])).toEqual({
      code: 0,
      stdout: "NAME  LOCAL\napp   true\ndb    false\nweb   false",
      stderr: "",
    });
    expect(api.patches).toEqual([]);
  });

  it("says so when the namespace has no streams", async () => {
    expect(await invoke(new FakeApi(new Map()), [])).toEqual({
      code: 0,
      stdout: "",
      stderr: "No image streams found in team namespace.",
    });
  });

  it("--list prints the named streams and objects", async () => {
    expect((await invoke(namespace(), ["web", "deployment/front"], { list: true })).stdout).toBe(
      "NAME                   LOCAL\nweb                    false\ndeployment.apps/front  true",
    );
  });

  it("turns lookup on for streams, and leaves those already on alone", async () => {
    const api = namespace();
    expect(await invoke(api, ["web", "app"])).toEqual({
      code: 0,
      stdout:
        "imagestream.image.openshift.io/web image lookup updated\n" +
        "imagestream.image.openshift.io/app image lookup unchanged",
      stderr: "",
    });
    expect(api.patches).toEqual([
      {
        label: "imagestream.image.openshift.io/web",
        patch: { spec: { lookupPolicy: { local: true } } },
      },
    ]);
  });

  it("--enabled=false on a workload removes the annotation", async () => {
    const api = namespace();
    const result = await invoke(api, ["deployment/front"], { enabled: false });
    expect(result.stdout).toBe("deployment.apps/front image lookup updated");
    expect(api.patches).toEqual([
      {
        label: "deployment.apps/front",
        patch: { spec: { template: { metadata: { annotations: { [ANN_RESOLVE_NAMES]: null } } } } },
      },
    ]);
  });

  it("--all sets every stream of the namespace", async () => {
    const api = namespace();
    const result = await invoke(api, [], { all: true });
    expect(result.code).toBe(0);
    expect(api.patches.map((p) => p.label).sort()).toEqual([
      "imagestream.image.openshift.io/db",
      "imagestream.image.openshift.io/web",
    ]);
  });

  it("reports a missing object, writes the others, and exits 1", async () => {
    const api = namespace();
    expect(await invoke(api, ["nope", "web"])).toEqual({
      code: 1,
      stdout: "imagestream.image.openshift.io/web image lookup updated",
      stderr: 'error: imagestream.image.openshift.io/nope not found in namespace "team"',
    });
    expect(api.patches).toHaveLength(1);
  });

  it.each([
    [["app"], { all: true }, "--all selects every image stream: name no objects with it"],
    [[], { enabled: false }, "--enabled changes image lookup: it cannot be combined with listing"],
    [
      ["app"],
      { list: true, enabled: true },
      "--enabled changes image lookup: it cannot be combined with listing",
    ],
  ])("refuses %j %j", (args, values, message) => {
    expect(() => parseImageLookupArgs(args, values)).toThrow(message);
  });

  it("writes the patch plan.ts computes", async () => {
    const api = namespace();
    await invoke(api, ["db"]);
    expect(api.patches[0]?.patch).toEqual(lookupPatch({ type: "stream", name: "db" }, true));
  });
});
