// Pull secret entries with only an `identitytoken` (issue 10, ADR 0031),
// imported by the operator under its ServiceAccount: the real token-auth
// registry's token service grants the refresh token; the Basic-auth registry
// does not accept identity tokens, which the tag's condition says without
// losing the tag's history; a wrong token fails clearly. The token itself
// appears in no status, Event or log line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImageStream } from "../../src/api/types.js";
import {
  createIdentityTokenSecret,
  createNamespace,
  createStream,
  deleteNamespace,
  dockerTag,
  importCondition,
  patchStream,
  pushedV1,
  saveOperatorLog,
  statusTag,
  streamEvents,
  targets,
  waitForCondition,
  waitForImage,
} from "./imports-support.js";
import { testEnv } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

const WRONG_TOKEN = "wrong-identity-S3CRET";

describe("pull secret entries with only an identitytoken", () => {
  let operator: RunningOperator;
  const namespaces: string[] = [];
  const namespace = async (prefix: string) => {
    const name = await createNamespace(prefix);
    namespaces.push(name);
    return name;
  };

  /** Neither token is in the stream, its Events or the operator's log. */
  async function expectNoToken(ns: string, stream: ImageStream): Promise<void> {
    const events = JSON.stringify(await streamEvents(ns, stream.metadata?.name ?? ""));
    for (const token of [testEnv.registryIdentityToken, WRONG_TOKEN]) {
      expect(JSON.stringify(stream)).not.toContain(token);
      expect(events).not.toContain(token);
      expect(operator.logs()).not.toContain(token);
    }
  }

  beforeAll(async () => {
    operator = await startOperator();
  });

  afterAll(async () => {
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "imports-identitytoken")).toEqual([]);
    await Promise.all(namespaces.map(deleteNamespace));
  });

  it("imports from the token-auth registry with the refresh-token grant", async () => {
    const ns = await namespace("idtoken-ok");
    const image = await pushedV1(targets.token, "idtoken");
    await createIdentityTokenSecret(ns, "pull", {
      [testEnv.registryToken]: testEnv.registryIdentityToken,
    });
    await createStream(ns, "private", { tags: [dockerTag("v1", image.reference)] });

    const stream = await waitForImage(ns, "private", "v1");
    expect(statusTag(stream, "v1")?.items?.[0]?.image).toBe(image.digest);
    expect(importCondition(stream, "v1")).toBeUndefined();
    await expectNoToken(ns, stream);
  });

  it("the same entry against the Basic-auth registry fails clearly, and the tag keeps its history", async () => {
    const ns = await namespace("idtoken-basic");
    const first = await pushedV1(targets.token, "idtoken-history");
    const basic = await pushedV1(targets.basic, "idtoken-basic");
    await createIdentityTokenSecret(ns, "pull", {
      [testEnv.registryToken]: testEnv.registryIdentityToken,
      [testEnv.registryBasic]: testEnv.registryIdentityToken,
    });
    await createStream(ns, "app", { tags: [dockerTag("v1", first.reference)] });
    await waitForImage(ns, "app", "v1");

    // the tag now follows the Basic-auth registry, with the same kind of entry
    await patchStream(ns, "app", [
      { op: "test", path: "/spec/tags/0/name", value: "v1" },
      { op: "replace", path: "/spec/tags/0/from/name", value: basic.reference },
    ]);
    const failed = await waitForCondition(ns, "app", "v1", "Unauthorized");
    expect(importCondition(failed, "v1")).toMatchObject({
      status: "False",
      message:
        `registry ${testEnv.registryBasic} does not accept identity tokens: pull secret ${ns}/pull ` +
        `entry "${testEnv.registryBasic}" has only an identitytoken (use a username and password there); ` +
        `pull secrets: ${ns}/pull: its identitytoken for ${testEnv.registryBasic} was refused`,
    });
    expect(statusTag(failed, "v1")?.items?.map((item) => item.image)).toEqual([first.digest]);
    await expectNoToken(ns, failed);
  });

  it("a wrong identitytoken is refused by the token service, naming the entry", async () => {
    const ns = await namespace("idtoken-wrong");
    const image = await pushedV1(targets.token, "idtoken-wrong");
    await createIdentityTokenSecret(ns, "stale", { [testEnv.registryToken]: WRONG_TOKEN });
    await createStream(ns, "private", { tags: [dockerTag("v1", image.reference)] });

    const refused = await waitForCondition(ns, "private", "v1", "Unauthorized");
    const message = importCondition(refused, "v1")?.message ?? "";
    expect(message).toMatch(
      new RegExp(
        `^the token service [^ ]+ refused the identitytoken of pull secret ${ns}/stale entry "${testEnv.registryToken}": it is wrong, expired or revoked; pull secrets: `,
      ),
    );
    expect(statusTag(refused, "v1")?.items ?? []).toEqual([]);
    await expectNoToken(ns, refused);
  });
});
