// What the operator logs about unusable pull secrets names them and says why,
// and never holds a value from them.
import type { V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../observability/logger.js";
import { NamespaceKeyrings } from "./keyrings.js";

const b64 = (text: string) => Buffer.from(text).toString("base64");
const VALUES = ["pw-S3CRET", "TOKEN-S3CRET", "%%%S3CRET"];

function secret(name: string, data: Record<string, string>): V1Secret {
  return { metadata: { name, namespace: "team" }, type: "kubernetes.io/dockerconfigjson", data };
}

describe("NamespaceKeyrings log lines", () => {
  it("name each unreadable pull secret and the reason, without its contents", () => {
    const lines: string[] = [];
    const log = createLogger("info", { write: (line: string) => void lines.push(line) });
    const auths = {
      "r.example.com": { identitytoken: "TOKEN-S3CRET" },
      "q.example.com": { auth: b64("u:pw-S3CRET") },
    };
    const keyrings = new NamespaceKeyrings(
      () => [
        secret("garbled", { ".dockerconfigjson": "%%%S3CRET" }),
        secret("notjson", { ".dockerconfigjson": b64("{pw-S3CRET") }),
        secret("fine", { ".dockerconfigjson": b64(JSON.stringify({ auths })) }),
      ],
      log,
    );
    keyrings.get("team");
    const text = lines.join("");
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual([
      "pull secret team/garbled could not be read: its .dockerconfigjson is not base64",
      "pull secret team/notjson could not be read: its .dockerconfigjson is not JSON",
    ]);
    for (const value of VALUES) expect(text).not.toContain(value);
  });
});
