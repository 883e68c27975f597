import { describe, expect, it } from "vitest";
import { ANN_TRIGGERS, type ImageStream } from "../../api/types.js";
import { ANN_ALLOWED_NAMESPACES } from "../../reconcile/index.js";
import { trigger, WEB_PATH, withTriggers, workload } from "../../reconcile/triggers/testdata.js";
import type { Workload } from "../../reconcile/triggers/types.js";
import { parseCommand } from "../flags.js";
import type { TriggerApi } from "./api.js";
import { runTriggersWith } from "./command.js";
import { COMMAND, parseTriggerOptions, TRIGGER_FLAGS } from "./options.js";

/** One workload and some streams; merge patches recorded, not applied. */
class FakeApi implements TriggerApi {
  readonly patches: Record<string, unknown>[] = [];
  constructor(
    private readonly object: Workload,
    private readonly streams: Record<string, ImageStream> = {},
  ) {}
  async read(): Promise<Workload> {
    return this.object;
  }
  async stream(namespace: string, name: string): Promise<ImageStream | undefined> {
    return this.streams[`${namespace}/${name}`];
  }
  async mergePatch(_ref: unknown, _ns: string, patch: Record<string, unknown>): Promise<void> {
    this.patches.push(patch);
  }
}

function stream(namespace: string, annotations: Record<string, string> = {}): ImageStream {
  return {
    metadata: { name: "app", namespace, annotations },
    status: {
      tags: [
        {
          tag: "v1",
          items: [
            {
              created: "",
              dockerImageReference: "r/app@sha256:1",
              image: "sha256:1",
              generation: 1,
            },
          ],
        },
      ],
    },
  };
}

async function invoke(api: TriggerApi, ...args: string[]) {
  const { global, positionals, values } = parseCommand(COMMAND, args, TRIGGER_FLAGS);
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
  const code = await runTriggersWith(
    api,
    "shop",
    parseTriggerOptions(global, positionals, values),
    io,
  );
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

const deployment = () => workload("Deployment", { web: "busybox" });

describe("set triggers", () => {
  it("prints the table without writing", async () => {
    const api = new FakeApi(withTriggers(deployment(), [trigger("app:v1", WEB_PATH)]));
    expect(await invoke(api, "deployment/app")).toEqual({
      code: 0,
      stdout: [
        "NAME             TYPE    VALUE         AUTO",
        "deployments/app  config                true",
        "deployments/app  image   app:v1 (web)  true",
      ].join("\n"),
      stderr: "",
    });
    expect(api.patches).toEqual([]);
  });

  it("adds a trigger with one guarded merge patch, as oc prints it", async () => {
    const api = new FakeApi(deployment(), { "shop/app": stream("shop") });
    expect(await invoke(api, "deploy/app", "--from-image=app:v1", "-c", "web")).toEqual({
      code: 0,
      stdout: "deployment.apps/app triggers updated",
      stderr: "",
    });
    expect(api.patches).toEqual([
      {
        metadata: {
          resourceVersion: "41",
          annotations: { [ANN_TRIGGERS]: JSON.stringify([trigger("app:v1", WEB_PATH)]) },
        },
      },
    ]);
  });

  it("says unchanged when the trigger is already there", async () => {
    const api = new FakeApi(withTriggers(deployment(), [trigger("app:v1", WEB_PATH)]), {
      "shop/app": stream("shop"),
    });
    expect((await invoke(api, "deployment/app", "--from-image=app:v1")).stdout).toBe(
      "deployment.apps/app triggers unchanged",
    );
    expect(api.patches).toEqual([]);
  });

  it("warns when the operator will not act: a stream of another namespace not shared, a tag without image", async () => {
    const notShared = new FakeApi(deployment(), { "lib/app": stream("lib") });
    const result = await invoke(notShared, "deployment/app", "--from-image=lib/app:v1");
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `warning: the operator will not act on this trigger: image stream lib/app does not exist or is not shared with namespace "shop": its owner can share it by adding the annotation ${ANN_ALLOWED_NAMESPACES}: "shop" (a comma-separated list of namespaces, or "*") to image stream lib/app`,
    );
    const shared = new FakeApi(deployment(), {
      "lib/app": stream("lib", { [ANN_ALLOWED_NAMESPACES]: "shop" }),
    });
    expect((await invoke(shared, "deployment/app", "--from-image=lib/app:v1")).stderr).toBe("");
    const noImage = new FakeApi(deployment(), { "shop/app": stream("shop") });
    expect((await invoke(noImage, "deployment/app", "--from-image=app:v2")).stderr).toBe(
      "warning: image stream tag shop/app:v2 has no image yet: the trigger acts once it has one",
    );
  });
});
