import { describe, expect, it } from "vitest";
import {
  EXHAUSTED_DEFAULT_PAUSE_SECONDS,
  exhaustedQuotaPauseSeconds,
  parseQuotaHeader,
  parseRetryAfter,
  RETRY_AFTER_CAP_SECONDS,
} from "./rate-headers.js";

const NOW = Date.parse("2026-01-01T12:00:00Z");

describe("parseRetryAfter", () => {
  it.each([
    ["delta-seconds", "20", 20],
    ["delta-seconds with spaces", " 7 ", 7],
    ["zero", "0", 0],
    ["an HTTP-date 90 s ahead", "Thu, 01 Jan 2026 12:01:30 GMT", 90],
    ["an HTTP-date in the past", "Thu, 01 Jan 2026 11:00:00 GMT", 0],
    ["an absurd delay, capped at an hour", "999999999", RETRY_AFTER_CAP_SECONDS],
    ["an HTTP-date next year, capped", "Fri, 01 Jan 2027 12:00:00 GMT", RETRY_AFTER_CAP_SECONDS],
    ["garbage", "soon", undefined],
    ["a negative number", "-5", undefined],
    ["absent", undefined, undefined],
  ])("%s", (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe("parseQuotaHeader", () => {
  it.each([
    ["76;w=21600", { value: 76, windowSeconds: 21600 }],
    ["0;w=3600", { value: 0, windowSeconds: 3600 }],
    ["100", { value: 100 }],
    ["5; W=60; comment=x", { value: 5, windowSeconds: 60 }],
    ["many;w=60", undefined],
    ["", undefined],
    [undefined, undefined],
  ])("%s", (value, expected) => {
    expect(parseQuotaHeader(value)).toEqual(expected);
  });
});

describe("exhaustedQuotaPauseSeconds", () => {
  it("is undefined while quota remains or none is reported", () => {
    expect(exhaustedQuotaPauseSeconds({ remaining: "1;w=21600" }, NOW)).toBeUndefined();
    expect(exhaustedQuotaPauseSeconds({}, NOW)).toBeUndefined();
  });

  it("pauses until ratelimit-reset, as a delay or as epoch seconds", () => {
    expect(exhaustedQuotaPauseSeconds({ remaining: "0", reset: "120" }, NOW)).toBe(120);
    const epoch = String(NOW / 1000 + 300);
    expect(exhaustedQuotaPauseSeconds({ remaining: "0", reset: epoch }, NOW)).toBe(300);
  });

  it("without a reset: the window over the limit (Docker Hub 100 per 6 h: 216 s)", () => {
    const headers = { remaining: "0;w=21600", limit: "100;w=21600" };
    expect(exhaustedQuotaPauseSeconds(headers, NOW)).toBe(216);
  });

  it("without reset or limit: a minute; never more than the cap", () => {
    expect(exhaustedQuotaPauseSeconds({ remaining: "0;w=21600" }, NOW)).toBe(
      EXHAUSTED_DEFAULT_PAUSE_SECONDS,
    );
    expect(exhaustedQuotaPauseSeconds({ remaining: "0", reset: "86400" }, NOW)).toBe(
      RETRY_AFTER_CAP_SECONDS,
    );
  });

  it("a reset already past falls back to the default", () => {
    const past = String(NOW / 1000 - 10);
    expect(exhaustedQuotaPauseSeconds({ remaining: "0", reset: past }, NOW)).toBe(
      EXHAUSTED_DEFAULT_PAUSE_SECONDS,
    );
  });
});
