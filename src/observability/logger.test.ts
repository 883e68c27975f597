// Redaction is the second line of defence: a credential that reaches a log
// line by mistake is censored, an identity token like a password (ADR 0031).
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";

function logged(fields: Record<string, unknown>): string {
  const lines: string[] = [];
  createLogger("info", { write: (line: string) => void lines.push(line) }).info(fields, "m");
  return lines.join("");
}

describe("log redaction", () => {
  it.each([
    ["a password credential", { credential: { username: "u", password: "S3CRET" } }],
    [
      "a refresh-token credential",
      { credential: { kind: "refresh-token", identityToken: "S3CRET" } },
    ],
    ["a pull secret entry", { entry: { identitytoken: "S3CRET" } }],
    ["a token request form", { form: { grant_type: "refresh_token", refresh_token: "S3CRET" } }],
    ["a top-level identity token", { identityToken: "S3CRET" }],
  ])("censors %s", (_name, fields) => {
    const line = logged(fields);
    expect(line).not.toContain("S3CRET");
    expect(line).toContain("[redacted]");
  });
});
