import { describe, expect, it } from "vitest";
import { parseHistoryArgs, parseRollbackArgs } from "./options.js";

describe("rollback arguments", () => {
  it.each([
    [["app:latest"], { kind: "previous" }, false],
    [["app:latest", "--to-revision=2"], { kind: "revision", revision: 2 }, false],
    [["app:latest", "--to", "sha256:91ab00"], { kind: "digest", digest: "sha256:91ab00" }, false],
    [["app:latest", "--to=91ab00"], { kind: "digest", digest: "91ab00" }, false],
    [["--undo", "app:latest"], { kind: "previous" }, true],
  ])("%j", (args, to, undo) => {
    expect(parseRollbackArgs(args)).toMatchObject({
      target: "app:latest",
      to,
      undo,
      timeoutMs: 60_000,
    });
  });

  it("--timeout", () => {
    expect(parseRollbackArgs(["app:latest", "--timeout=2m"])).toMatchObject({ timeoutMs: 120_000 });
  });

  it.each([
    [[], "rollback takes one image stream tag"],
    [["a:1", "b:1"], "rollback takes one image stream tag"],
    [["app:latest", "--to-revision=0"], "--to-revision must be a revision number"],
    [["app:latest", "--to-revision=two"], "--to-revision must be a revision number"],
    [["app:latest", "--to-revision=1", "--to=sha256:abcdef"], "give one"],
    [["app:latest", "--to=latest"], "--to must be an image digest"],
    [["--undo", "app:latest", "--to-revision=1"], "--undo restores what the tag followed"],
    [["app:latest", "--timeout=soon"], 'invalid --timeout "soon"'],
    [["app:latest", "--revision=1"], "Unknown option '--revision'"],
  ])("%j is refused: %s", (args, message) => {
    expect(() => parseRollbackArgs(args)).toThrow(message);
  });

  it("help", () => {
    expect(parseRollbackArgs(["--help"])).toEqual({ help: true });
    expect(parseHistoryArgs(["-h"])).toEqual({ help: true });
  });

  it("history takes one tag", () => {
    expect(parseHistoryArgs(["prod/app:v1", "-n", "x"])).toMatchObject({
      target: "prod/app:v1",
      global: { namespace: "x" },
    });
    expect(() => parseHistoryArgs([])).toThrow("history takes one image stream tag");
  });
});
