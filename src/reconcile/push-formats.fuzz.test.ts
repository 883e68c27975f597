import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidDigest, parseImageReference } from "../registry/reference.js";
import { FUZZ_TIMEOUT_MS, fuzzParameters, hostileText, timed } from "../testing/fuzz.js";
import { parsePushBody, RECEIVER_FORMATS } from "./push-formats.js";

const dir = new URL("../../test/fixtures/push/", import.meta.url);
const SEED_TEXTS = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => readFileSync(new URL(f, dir), "utf8"));
const SEEDS: unknown[] = SEED_TEXTS.map((t) => JSON.parse(t));

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

describe("parsePushBody on hostile payloads", () => {
  it(
    "never throws, and every pushed tag is a valid reference as stream tags normalise theirs",
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...RECEIVER_FORMATS),
          hostileText(SEED_TEXTS, SEEDS),
          (format, text) => {
            const result = timed(format, () => parsePushBody(format, parsed(text)));
            if ("unknown" in result) return;
            for (const { digest, ...p } of result.pushed) {
              expect(parseImageReference(`${p.registry}/${p.repository}:${p.tag}`)).toMatchObject(
                p,
              );
              if (digest !== undefined) expect(isValidDigest(digest)).toBe(true);
            }
          },
        ),
        fuzzParameters(2000),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
