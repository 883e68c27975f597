import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import { normalizeBooleans, parseCommand, parseDuration, splitCommand } from "./flags.js";

describe("normalizeBooleans", () => {
  const specs = { scheduled: { type: "boolean" }, from: { type: "string" } } as const;
  it.each([
    [["--scheduled=true"], ["--scheduled"]],
    [["--scheduled=false"], ["--no-scheduled"]],
    [["--scheduled=FALSE"], ["--no-scheduled"]],
    [["--from=true"], ["--from=true"]],
    [["--unknown=true"], ["--unknown=true"]],
    [
      ["a", "--scheduled"],
      ["a", "--scheduled"],
    ],
  ])("%j -> %j", (input, expected) => {
    expect(normalizeBooleans(input, specs)).toEqual(expected);
  });
});

describe("parseCommand", () => {
  const specs = { scheduled: { type: "boolean" }, from: { type: "string" } } as const;

  it("reads global flags anywhere, command flags and positionals", () => {
    const parsed = parseCommand(
      "x",
      ["a", "-n", "ns", "--from=img", "b", "--kubeconfig", "/k"],
      specs,
    );
    expect(parsed.global).toEqual({ namespace: "ns", kubeconfig: "/k", help: false });
    expect(parsed.positionals).toEqual(["a", "b"]);
    expect(parsed.values.from).toBe("img");
  });

  it("tells an unset boolean from an explicit false", () => {
    expect(parseCommand("x", [], specs).values.scheduled).toBeUndefined();
    expect(parseCommand("x", ["--scheduled=false"], specs).values.scheduled).toBe(false);
    expect(parseCommand("x", ["--scheduled=true"], specs).values.scheduled).toBe(true);
  });

  it("reports an unknown flag as a usage error of the command", () => {
    const attempt = () => parseCommand("tag", ["--bogus"], specs);
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(/Unknown option '--bogus'$/);
  });

  it("reads -h as help", () => {
    expect(parseCommand("x", ["-h"], specs).global.help).toBe(true);
  });
});

describe("splitCommand", () => {
  it.each([
    [["tag", "a", "b"], "tag", ["a", "b"]],
    [["-n", "ns", "tag", "a"], "tag", ["-n", "ns", "a"]],
    [["--kubeconfig", "/k", "--help"], undefined, ["--kubeconfig", "/k", "--help"]],
    [["--namespace=ns", "describe", "x"], "describe", ["--namespace=ns", "x"]],
    [[], undefined, []],
  ])("%j -> %s %j", (argv, command, rest) => {
    expect(splitCommand(argv)).toEqual(command ? { command, rest } : { rest });
  });
});

describe("parseDuration", () => {
  it.each([
    ["60s", 60_000],
    ["2m", 120_000],
    ["1m30s", 90_000],
    ["1h", 3_600_000],
    ["500ms", 500],
    ["1.5s", 1500],
    ["45", 45_000],
  ])("%s = %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "s", "1d", "-5s", "5 s", "abc"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
