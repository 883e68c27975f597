import { describe, expect, it } from "vitest";
import { tagIndexKey } from "../../reconcile/triggers/index.js";
import { FollowerIndex } from "./follower-index.js";
import { parseWorkloadKey, workloadKey } from "./keys.js";

const WEB = workloadKey("Deployment", "shop", "web");
const CRON = workloadKey("CronJob", "shop", "report");
const LATEST = tagIndexKey("shop", "app", "latest");
const STABLE = tagIndexKey("shop", "app", "stable");
const OTHER = tagIndexKey("images", "base", "latest");

describe("FollowerIndex", () => {
  it("finds the workloads following a tag, and no others", () => {
    const index = new FollowerIndex();
    index.set(WEB, [LATEST, OTHER]);
    index.set(CRON, [STABLE]);
    expect(index.followersOf([LATEST])).toEqual(new Set([WEB]));
    expect(index.followersOf([STABLE, OTHER])).toEqual(new Set([CRON, WEB]));
    expect(index.followersOf([tagIndexKey("shop", "app", "v1")])).toEqual(new Set());
  });

  it("replaces what a workload follows when its triggers change", () => {
    const index = new FollowerIndex();
    index.set(WEB, [LATEST]);
    index.set(WEB, [STABLE]);
    expect(index.followersOf([LATEST])).toEqual(new Set());
    expect(index.followersOf([STABLE])).toEqual(new Set([WEB]));
    expect(index.followed(WEB)).toEqual(new Set([STABLE]));
  });

  it("forgets a deleted workload, and one whose triggers are all gone", () => {
    const index = new FollowerIndex();
    index.set(WEB, [LATEST]);
    index.set(CRON, [LATEST]);
    index.remove(WEB);
    index.set(CRON, []);
    expect(index.followersOf([LATEST])).toEqual(new Set());
    expect(index.followersOfStream("shop", "app")).toEqual(new Set());
    expect(index.size).toBe(0);
  });

  it("finds followers of any tag of a stream, for streams that appear or vanish", () => {
    const index = new FollowerIndex();
    index.set(WEB, [LATEST]);
    index.set(CRON, [STABLE, OTHER]);
    expect(index.followersOfStream("shop", "app")).toEqual(new Set([WEB, CRON]));
    expect(index.followersOfStream("images", "base")).toEqual(new Set([CRON]));
    // "app" is not a prefix match for "app2"
    index.set(WEB, [tagIndexKey("shop", "app2", "latest")]);
    expect(index.followersOfStream("shop", "app")).toEqual(new Set([CRON]));
  });

  it("keeps a workload while another of its tags is still followed", () => {
    const index = new FollowerIndex();
    index.set(WEB, [LATEST, STABLE]);
    index.set(WEB, [STABLE]);
    expect(index.followersOfStream("shop", "app")).toEqual(new Set([WEB]));
  });
});

describe("workload keys", () => {
  it("round-trips kind, namespace and name", () => {
    expect(parseWorkloadKey(CRON)).toEqual({ kind: "CronJob", namespace: "shop", name: "report" });
  });

  it("rejects keys of other kinds or shapes", () => {
    expect(parseWorkloadKey("ReplicaSet/shop/web")).toBeUndefined();
    expect(parseWorkloadKey("shop/web")).toBeUndefined();
    expect(parseWorkloadKey("Deployment/shop/web/x")).toBeUndefined();
  });
});
