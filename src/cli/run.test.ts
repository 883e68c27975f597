import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DESCRIBE_HELP,
  GET_HELP,
  HISTORY_HELP,
  IMAGE_LOOKUP_HELP,
  IMPORT_HELP,
  MAIN_HELP,
  ROLLBACK_HELP,
  SET_HELP,
  TAG_HELP,
  TRIGGERS_HELP,
  WHY_HELP,
} from "./help.js";
import { run } from "./run.js";

async function invoke(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe("run", () => {
  it("prints the usage on stdout when asked, on stderr (exit 1) when nothing was asked", async () => {
    expect(await invoke("--help")).toEqual({ code: 0, stdout: MAIN_HELP, stderr: "" });
    expect(await invoke("help")).toEqual({ code: 0, stdout: MAIN_HELP, stderr: "" });
    expect(await invoke()).toEqual({ code: 1, stdout: "", stderr: MAIN_HELP });
  });

  it.each([
    ["tag", TAG_HELP],
    ["import-image", IMPORT_HELP],
    ["describe", DESCRIBE_HELP],
    ["why", WHY_HELP],
    ["set", SET_HELP],
    ["get", GET_HELP],
    ["history", HISTORY_HELP],
    ["rollback", ROLLBACK_HELP],
  ])("%s --help", async (command, help) => {
    expect(await invoke(command, "--help")).toEqual({ code: 0, stdout: help, stderr: "" });
    expect(await invoke("-n", "ns", command, "-h")).toEqual({ code: 0, stdout: help, stderr: "" });
  });

  it("set image-lookup --help, and set without a subcommand", async () => {
    expect(await invoke("set", "image-lookup", "--help")).toEqual({
      code: 0,
      stdout: IMAGE_LOOKUP_HELP,
      stderr: "",
    });
    expect(await invoke("-n", "ns", "set", "image-lookup", "-h")).toEqual({
      code: 0,
      stdout: IMAGE_LOOKUP_HELP,
      stderr: "",
    });
    expect(await invoke("set")).toEqual({ code: 1, stdout: "", stderr: SET_HELP });
    expect(await invoke("set", "triggers", "--help")).toEqual({
      code: 0,
      stdout: TRIGGERS_HELP,
      stderr: "",
    });
    expect(await invoke("set", "triggers")).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: you must specify one workload: KIND/NAME\nSee 'kubectl imagestream set triggers --help' for usage.`,
    });
    expect(await invoke("set", "env")).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: unknown command "set env"\nSee 'kubectl imagestream set --help' for usage.`,
    });
    expect(await invoke("set", "image-lookup", "configmap/x")).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        "the resource configmap does not support altering image lookup",
      ),
    });
  });

  it("reports usage errors with a pointer to the command's help", async () => {
    expect(await invoke("bogus")).toEqual({
      code: 1,
      stdout: "",
      stderr: `error: unknown command "bogus"\nSee 'kubectl imagestream --help' for usage.`,
    });
    expect(await invoke("tag", "quay.io/app:1")).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "error: you must specify a source and at least one destination\nSee 'kubectl imagestream tag --help' for usage.",
    });
  });

  it.each([
    [
      ["get", "deployment"],
      'get shows image stream tags (istag) and images (isimage) only, not "deployment"',
    ],
    [
      ["get", "istag", "-o", "table"],
      'unable to match a printer suitable for the output format "table"',
    ],
    [["rollback", "app:latest", "--to-revision=0"], "--to-revision must be a revision number"],
    [["history"], "history takes one image stream tag"],
    [["describe", "istag"], "you must specify the istag to describe"],
  ])("%j is a usage error", async (args, message) => {
    const result = await invoke(...args);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });

  it("reports validation errors before touching a cluster", async () => {
    expect(await invoke("tag", "app:v1", "app:copy", "--scheduled")).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: only container images can have importing flags set",
    });
  });

  describe("without a usable kubeconfig", () => {
    const dir = mkdtempSync(join(tmpdir(), "kubectl-imagestream-"));

    it("says the kubeconfig cannot be read", async () => {
      const result = await invoke("describe", "app", "--kubeconfig", join(dir, "missing"));
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: cannot load the kubeconfig: ENOENT/);
    });

    it("says not logged in when the kubeconfig names no cluster", async () => {
      const empty = join(dir, "empty.kubeconfig");
      writeFileSync(empty, "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n");
      expect(await invoke("describe", "app", "--kubeconfig", empty)).toEqual({
        code: 1,
        stdout: "",
        stderr:
          "error: not logged in to a cluster: no Kubernetes configuration found (set KUBECONFIG or pass --kubeconfig)",
      });
    });

    it("refuses an unknown context", async () => {
      const config = join(dir, "one.kubeconfig");
      writeFileSync(
        config,
        [
          "apiVersion: v1",
          "kind: Config",
          "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]",
          "users: [{name: u, user: {}}]",
          "contexts: [{name: ctx, context: {cluster: c, user: u}}]",
          "current-context: ctx",
        ].join("\n"),
      );
      const result = await invoke("describe", "app", "--kubeconfig", config, "--context", "other");
      expect(result.stderr).toBe('error: context "other" does not exist in the kubeconfig');
    });
  });
});
