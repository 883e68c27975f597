import type { KubernetesListObject, KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { type ListPage, listInPages } from "./list-pages.js";

type Obj = KubernetesObject;
const obj = (name: string): Obj => ({ metadata: { name, managedFields: [{}] } });
const names = (list: KubernetesListObject<Obj>) => list.items.map((o) => o.metadata?.name);

/** An API server's pages over `all`, at resourceVersion "42"; tokens named as a client names them. */
function pagesOf(all: Obj[], tokenField: "continue" | "_continue" = "continue") {
  const asked: ListPage[] = [];
  const lister = async (page: ListPage): Promise<KubernetesListObject<Obj>> => {
    asked.push(page);
    const from = page.continueToken ? Number(page.continueToken.slice(1)) : 0;
    const to = page.limit ? from + page.limit : all.length;
    const more = to < all.length ? { [tokenField]: `t${to}` } : {};
    return { metadata: { resourceVersion: "42", ...more }, items: all.slice(from, to) };
  };
  return { asked, lister };
}

const seven = ["a", "b", "c", "d", "e", "f", "g"].map(obj);

describe("listInPages", () => {
  it.each(["continue", "_continue"] as const)(
    "follows `%s` tokens page by page and joins the items in order",
    async (field) => {
      const { asked, lister } = pagesOf(seven, field);
      const list = await listInPages(lister, 3);
      expect(names(list)).toEqual(["a", "b", "c", "d", "e", "f", "g"]);
      expect(asked).toEqual([
        { limit: 3, continueToken: undefined },
        { limit: 3, continueToken: "t3" },
        { limit: 3, continueToken: "t6" },
      ]);
      // the watch goes on from the snapshot's resourceVersion; no token is left behind
      expect(list.metadata).toEqual({ resourceVersion: "42" });
    },
  );

  it("page size 0 asks once for everything", async () => {
    const { asked, lister } = pagesOf(seven);
    expect(names(await listInPages(lister, 0))).toHaveLength(7);
    expect(asked).toEqual([{}]);
  });

  it("shapes each page before asking for the next", async () => {
    const events: string[] = [];
    const { lister } = pagesOf(seven);
    const logged = async (page: ListPage) => {
      events.push(`page ${page.continueToken ?? "first"}`);
      return lister(page);
    };
    const shape = (o: Obj): Obj => {
      events.push(`shape ${o.metadata?.name}`);
      return { metadata: { name: o.metadata?.name } };
    };
    const list = await listInPages(logged, 4, shape);
    expect(events).toEqual([
      "page first",
      "shape a",
      "shape b",
      "shape c",
      "shape d",
      "page t4",
      "shape e",
      "shape f",
      "shape g",
    ]);
    expect(list.items[0]).toEqual({ metadata: { name: "a" } });
  });

  it("a continue token that expired (410) falls back to one full list", async () => {
    const { asked, lister } = pagesOf(seven);
    const expiring = async (page: ListPage) => {
      if (page.continueToken === "t3") throw Object.assign(new Error("Expired"), { code: 410 });
      return lister(page);
    };
    const list = await listInPages(expiring, 3);
    expect(names(list)).toEqual(["a", "b", "c", "d", "e", "f", "g"]);
    expect(asked).toEqual([{ limit: 3, continueToken: undefined }, {}]);
  });

  it.each([
    ["a 410 on the first page (nothing to fall back from)", undefined, 410],
    ["any other failure mid-list", "t3", 500],
  ])("%s is thrown to the informer, which restarts", async (_what, failOn, code) => {
    const { lister } = pagesOf(seven);
    const failing = async (page: ListPage) => {
      if (page.continueToken === failOn) throw Object.assign(new Error("failed"), { code });
      return lister(page);
    };
    await expect(listInPages(failing, 3)).rejects.toMatchObject({ code });
  });
});
