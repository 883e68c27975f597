import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  FUZZ_TIMEOUT_MS,
  fuzzParameters,
  hostileText,
  mutatedText,
  timed,
} from "../testing/fuzz.js";
import { parseChallenges, parseTokenAnswer, pickChallenge } from "./auth.js";
import { ImportError } from "./types.js";

const CHALLENGES = [
  'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
  'Basic realm="Registry Realm"',
  'Bearer realm="https://quay.io/v2/auth",service="quay.io", Basic realm="x"',
  'Bearer realm="a\\"b",error="insufficient_scope"',
];
const TOKEN_SEEDS: unknown[] = [
  { token: "abc", expires_in: 300, issued_at: "2024-01-01T00:00:00Z" },
  { access_token: "def" },
];

describe("WWW-Authenticate and token answers from hostile registries", () => {
  it(
    "parses any challenge header into lower-case schemes and string parameters",
    () => {
      fc.assert(
        fc.property(
          fc.oneof(mutatedText(CHALLENGES), fc.string({ unit: "binary", maxLength: 80 })),
          (header) => {
            const challenges = timed("parseChallenges", () => parseChallenges(header));
            for (const challenge of challenges) {
              expect(challenge.scheme).toBe(challenge.scheme.toLowerCase());
              expect(challenge.scheme.length).toBeGreaterThan(0);
              for (const value of Object.values(challenge.params))
                expect(typeof value).toBe("string");
            }
            const picked = pickChallenge(challenges);
            if (picked !== undefined) expect(["bearer", "basic"]).toContain(picked.scheme);
          },
        ),
        fuzzParameters(2000),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "reads a token with a positive finite lifetime, or fails with InternalError",
    () => {
      fc.assert(
        fc.property(
          hostileText(
            TOKEN_SEEDS.map((s) => JSON.stringify(s)),
            TOKEN_SEEDS,
          ),
          (text) => {
            try {
              const answer = timed("parseTokenAnswer", () =>
                parseTokenAnswer(Buffer.from(text), "auth.io"),
              );
              expect(answer.token.length).toBeGreaterThan(0);
              expect(Number.isFinite(answer.lifetimeSeconds) && answer.lifetimeSeconds > 0).toBe(
                true,
              );
            } catch (error) {
              if (!(error instanceof ImportError)) throw error;
              expect(error.reason).toBe("InternalError");
            }
          },
        ),
        fuzzParameters(1500),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
