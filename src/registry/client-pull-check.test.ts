import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, importErrorOf, request, startHarness } from "./testing/harness.js";

let now = 1_700_000_000_000;
let h: Harness;
beforeEach(async () => {
  h = await startHarness({ now: () => now });
});
afterEach(async () => {
  await h.close();
});

const alice = { username: "alice", password: "s3cret", source: "shop/regcred" };
const FRESH_MS = 60_000;

function pullCheck(reference: string, credentials: (typeof alice)[]) {
  return { reference, insecure: true, credentials, freshMs: FRESH_MS };
}

const manifestRequests = () => h.fake.requests.filter((r) => r.path.includes("/manifests/"));

describe("checkPullable", () => {
  it("is answered by a fresh import with the same credential, without a request", async () => {
    h.fake.auth = { kind: "basic", username: "alice", password: "s3cret" };
    const pushed = h.fake.addImage("app", "v1");
    await h.client.importImage(request(`${h.fake.host}/app:v1`, { credentials: [alice] }));
    const before = h.fake.requests.length;

    const result = await h.client.checkPullable(
      pullCheck(`${h.fake.host}/app@${pushed.digest}`, [alice]),
    );

    expect(result).toEqual({ answeredBy: "import", credential: "shop/regcred" });
    expect(h.fake.requests.length).toBe(before);
  });

  it("asks with one HEAD by digest once the import is no longer fresh", async () => {
    h.fake.auth = { kind: "basic", username: "alice", password: "s3cret" };
    const pushed = h.fake.addImage("app", "v1");
    await h.client.importImage(request(`${h.fake.host}/app:v1`, { credentials: [alice] }));
    now += FRESH_MS;
    const before = manifestRequests().length;

    const result = await h.client.checkPullable(
      pullCheck(`${h.fake.host}/app@${pushed.digest}`, [alice]),
    );

    expect(result.answeredBy).toBe("registry");
    const asked = manifestRequests().slice(before);
    expect(asked.map((r) => `${r.method} ${r.path}`)).toEqual([
      `HEAD /v2/app/manifests/${pushed.digest}`,
    ]);
  });

  it("a digest the import read with another credential is asked again with the pods' one", async () => {
    h.fake.auth = { kind: "basic", username: "alice", password: "s3cret" };
    const pushed = h.fake.addImage("app", "v1");
    await h.client.importImage(request(`${h.fake.host}/app:v1`, { credentials: [alice] }));

    // pods without pull secrets: anonymously, as the kubelet would
    const anonymous = await importErrorOf(
      h.client.checkPullable(pullCheck(`${h.fake.host}/app@${pushed.digest}`, [])),
    );
    expect(anonymous.reason).toBe("Unauthorized");

    // pods with a wrong secret: refused, and no anonymous try after it
    const wrong = { username: "alice", password: "old", source: "shop/old" };
    const before = manifestRequests().length;
    const refused = await importErrorOf(
      h.client.checkPullable(pullCheck(`${h.fake.host}/app@${pushed.digest}`, [wrong])),
    );
    expect(refused.reason).toBe("Unauthorized");
    expect(
      manifestRequests()
        .slice(before)
        .every((r) => r.authorization !== undefined),
    ).toBe(true);
  });

  it("a digest the registry does not have is NotFound", async () => {
    h.fake.addImage("app", "v1");
    const missing = `sha256:${"e".repeat(64)}`;
    const error = await importErrorOf(
      h.client.checkPullable(pullCheck(`${h.fake.host}/app@${missing}`, [])),
    );
    expect(error.reason).toBe("NotFound");
  });

  it("a reference by tag is refused as InvalidReference (triggers write digests)", async () => {
    const error = await importErrorOf(
      h.client.checkPullable(pullCheck(`${h.fake.host}/app:v1`, [])),
    );
    expect(error.reason).toBe("InvalidReference");
  });
});
