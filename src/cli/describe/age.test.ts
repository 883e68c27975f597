import { describe, expect, it } from "vitest";
import { ago, humanDuration } from "./age.js";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe("humanDuration (kubectl/oc wording)", () => {
  it.each([
    [-5 * S, "Less than a second"],
    [500, "Less than a second"],
    [1 * S, "1 second"],
    [59 * S, "59 seconds"],
    [60 * S, "About a minute"],
    [119 * S, "About a minute"],
    [2 * M, "2 minutes"],
    [59 * M, "59 minutes"],
    [60 * M, "About an hour"],
    [89 * M, "About an hour"],
    [90 * M, "2 hours"],
    [47 * H, "47 hours"],
    [48 * H, "2 days"],
    [13 * D, "13 days"],
    [14 * D, "2 weeks"],
    [59 * D, "8 weeks"],
    [60 * D, "2 months"],
    [729 * D, "24 months"],
    [730 * D, "2 years"],
  ])("%i ms -> %s", (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe("ago", () => {
  const now = new Date("2024-05-01T12:00:00Z");
  it.each([
    ["2024-05-01T11:58:00Z", "2 minutes ago"],
    ["2024-05-01T11:59:30Z", "30 seconds ago"],
    [undefined, "<unknown>"],
    [null, "<unknown>"],
    ["yesterday", "<unknown>"],
  ])("%s -> %s", (time, text) => {
    expect(ago(time, now)).toBe(text);
  });
});
