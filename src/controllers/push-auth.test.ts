import { describe, expect, it } from "vitest";
import {
  checkAuthorization,
  checkGenericSignature,
  checkGitHubSignature,
  checkPathSecret,
  hmacSha256Hex,
  ReplayGuard,
  SIGNATURE_TOLERANCE_MS,
  secretEquals,
  signGeneric,
} from "./push-auth.js";

describe("push sender checks", () => {
  it("compares secrets of any length", () => {
    expect(secretEquals("abc", "abc")).toBe(true);
    expect(secretEquals("abc", "abcd")).toBe(false);
    expect(secretEquals("", "abc")).toBe(false);
  });

  it("takes an Authorization header as the secret or a bearer of it", () => {
    expect(checkAuthorization("s3cret", "s3cret")).toBe("ok");
    expect(checkAuthorization("Bearer s3cret", "s3cret")).toBe("ok");
    expect(checkAuthorization("Bearer other", "s3cret")).toBe("bad");
    expect(checkAuthorization(undefined, "s3cret")).toBe("missing");
    expect(checkPathSecret(undefined, "s3cret")).toBe("missing");
    expect(checkPathSecret("s3cret", "s3cret")).toBe("ok");
  });

  it("checks GitHub's X-Hub-Signature-256 against GitHub's documented example", () => {
    // docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody",
    // payload "Hello, World!"
    const header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    const body = Buffer.from("Hello, World!");
    expect(checkGitHubSignature(header, body, "It's a Secret to Everybody")).toBe("ok");
    expect(checkGitHubSignature(header, body, "another")).toBe("bad");
    expect(checkGitHubSignature(undefined, body, "another")).toBe("missing");
  });

  it("signs the generic form over timestamp and body, refusing skew beyond the tolerance", () => {
    const body = Buffer.from('{"image":"r.io/a:1"}');
    const at = 1_800_000_000_000;
    const s = signGeneric(body, "k", at);
    expect(s.signature).toBe(`sha256=${hmacSha256Hex("k", `${s.timestamp}.${body}`)}`);
    expect(checkGenericSignature(s, body, "k", at + SIGNATURE_TOLERANCE_MS)).toBe("ok");
    expect(checkGenericSignature(s, body, "k", at + SIGNATURE_TOLERANCE_MS + 1000)).toBe("bad");
    expect(
      checkGenericSignature({ ...s, timestamp: String(Number(s.timestamp) + 1) }, body, "k", at),
    ).toBe("bad");
    expect(checkGenericSignature({ signature: s.signature }, body, "k", at)).toBe("missing");
  });

  it("remembers signatures within its window, oldest dropped first", () => {
    const guard = new ReplayGuard(1000, 2);
    expect(guard.firstSeen("a", 0)).toBe(true);
    expect(guard.firstSeen("a", 10)).toBe(false);
    expect(guard.firstSeen("b", 20)).toBe(true);
    expect(guard.firstSeen("c", 30)).toBe(true); // over capacity: "a" forgotten
    expect(guard.firstSeen("a", 40)).toBe(true);
    expect(guard.firstSeen("b", 5000)).toBe(true); // outside the window
  });
});
