// From pushed tags to re-checks. The index maps a push key (registry/repo:tag,
// as push-events.ts folds them) to the streams whose spec tags follow it, kept
// from stream events, so a push costs a map lookup, never a scan of every
// stream. The dispatcher coalesces a flood for one key into the checks one
// notification makes, and measures push -> new image in status.
import type { ImageStream } from "../api/types.js";
import { findStatusTag } from "../reconcile/generations.js";
import { followedSources, type PushedTag, pushKey } from "../reconcile/push-events.js";
import type { PushCheck } from "./imagestreams/execute.js";

export class PushIndex {
  private readonly streamsByKey = new Map<string, Set<string>>();
  private readonly sourcesOf = new Map<string, Map<string, string[]>>();

  /** Replaces what a stream's spec tags follow. */
  set(streamKey: string, stream: ImageStream): void {
    this.remove(streamKey);
    const sources = followedSources(stream);
    if (sources.size === 0) return;
    this.sourcesOf.set(streamKey, sources);
    for (const key of sources.keys()) {
      const streams = this.streamsByKey.get(key) ?? new Set<string>();
      streams.add(streamKey);
      this.streamsByKey.set(key, streams);
    }
  }

  remove(streamKey: string): void {
    for (const key of this.sourcesOf.get(streamKey)?.keys() ?? []) {
      const streams = this.streamsByKey.get(key);
      streams?.delete(streamKey);
      if (streams?.size === 0) this.streamsByKey.delete(key);
    }
    this.sourcesOf.delete(streamKey);
  }

  /** stream key -> names of its spec tags that follow the push key */
  followers(key: string): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const s of this.streamsByKey.get(key) ?? []) {
      const tags = this.sourcesOf.get(s)?.get(key);
      if (tags) out.set(s, tags);
    }
    return out;
  }
}

export interface PushDispatcherDeps {
  index: PushIndex;
  /** mark the tags for a re-check and enqueue the stream */
  recheck: (streamKey: string, tags: string[]) => void;
  /**
   * the registry may notify before the tag points at the new manifest: look
   * again after these delays, unless the first check already saw the push
   */
  followUpsMs: readonly number[];
  /** the stream as cached (for the image a tag showed when the push came) */
  getStream: (streamKey: string) => ImageStream | undefined;
  observeLatencySeconds: (seconds: number) => void;
  now?: () => number;
}

/** How long a push waits to be seen in status before its latency is no longer measured. */
const LATENCY_WINDOW_MS = 60_000;

interface Pending {
  timers: NodeJS.Timeout[];
  /** the digest the latest notification named, when its format gives one */
  digest: string | undefined;
  /** followers (stream key + tag) whose check has not yet seen the push */
  awaiting: Set<string>;
}

interface Waiting {
  receivedAt: number;
  imageBefore: string | undefined;
}

const follower = (streamKey: string, tag: string) => `${streamKey}\u0000${tag}`;

export class PushDispatcher {
  private readonly pending = new Map<string, Pending>();
  /** follower -> the push keys whose follow-ups wait on its check */
  private readonly keysOf = new Map<string, Set<string>>();
  /** stream key -> tag -> when its push came and what it showed then */
  private readonly waiting = new Map<string, Map<string, Waiting>>();
  private readonly now: () => number;

  constructor(private readonly deps: PushDispatcherDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Re-checks what the pushed tags concern; returns how many stream tags that is. */
  notify(pushed: readonly PushedTag[]): number {
    const digests = new Map<string, string | undefined>();
    for (const p of pushed) digests.set(pushKey(p), p.digest ?? digests.get(pushKey(p)));
    let matched = 0;
    for (const [key, digest] of digests) {
      const followers = this.deps.index.followers(key);
      for (const tags of followers.values()) matched += tags.length;
      if (followers.size > 0) this.schedule(key, followers, digest);
    }
    return matched;
  }

  /**
   * A check of a stream's followed tags came back. A follower whose check saw
   * the notified digest (or, when the sender names none, saw the tag move)
   * needs no follow-up; once none is left waiting, the follow-ups are dropped:
   * a pushed new image then costs the one check (ADR 0027).
   */
  checked(streamKey: string, checks: readonly PushCheck[]): void {
    for (const check of checks) {
      const f = follower(streamKey, check.tag);
      for (const key of this.keysOf.get(f) ?? []) {
        const entry = this.pending.get(key);
        if (!entry) continue;
        const seen = entry.digest ? check.digest === entry.digest : check.moved;
        if (!seen) continue;
        entry.awaiting.delete(f);
        this.unlink(f, key);
        if (entry.awaiting.size === 0) this.settle(key, entry);
      }
    }
  }

  // The first notification for a key checks at once; every later one within
  // the follow-up window only moves the follow-ups (and names the digest to
  // wait for), so N notifications for a tag cost what one does.
  private schedule(key: string, followers: Map<string, string[]>, digest?: string): void {
    const awaiting = new Set<string>();
    for (const [streamKey, tags] of followers) {
      for (const tag of tags) awaiting.add(follower(streamKey, tag));
    }
    const previous = this.pending.get(key);
    if (previous) {
      for (const t of previous.timers) clearTimeout(t);
      this.forgetFollowers(key, previous);
    } else this.startWaiting(followers);
    const entry: Pending = { timers: [], digest: digest ?? previous?.digest, awaiting };
    this.pending.set(key, entry);
    for (const f of awaiting) {
      const keys = this.keysOf.get(f) ?? new Set<string>();
      keys.add(key);
      this.keysOf.set(f, keys);
    }
    const last = Math.max(...this.deps.followUpsMs, 0);
    entry.timers = this.deps.followUpsMs.map((ms) =>
      setTimeout(() => {
        this.fire(key);
        if (ms === last) this.settle(key, entry);
      }, ms).unref(),
    );
    if (entry.timers.length === 0) {
      entry.timers.push(setTimeout(() => this.settle(key, entry), 0).unref());
    }
    // last: a check answered at once settles an entry whose timers exist
    if (!previous) this.fire(key);
  }

  private settle(key: string, entry: Pending): void {
    if (this.pending.get(key) !== entry) return;
    for (const t of entry.timers) clearTimeout(t);
    this.forgetFollowers(key, entry);
    this.pending.delete(key);
  }

  private forgetFollowers(key: string, entry: Pending): void {
    for (const f of entry.awaiting) this.unlink(f, key);
  }

  private unlink(f: string, key: string): void {
    const keys = this.keysOf.get(f);
    keys?.delete(key);
    if (keys?.size === 0) this.keysOf.delete(f);
  }

  // looked up again at each check: a stream changed meanwhile is asked as it is now
  private fire(key: string): void {
    for (const [streamKey, tags] of this.deps.index.followers(key))
      this.deps.recheck(streamKey, tags);
  }

  private startWaiting(followers: Map<string, string[]>): void {
    const at = this.now();
    for (const [streamKey, tags] of followers) {
      const stream = this.deps.getStream(streamKey);
      const byTag = this.waiting.get(streamKey) ?? new Map<string, Waiting>();
      for (const [tag, w] of byTag) if (at - w.receivedAt > LATENCY_WINDOW_MS) byTag.delete(tag);
      for (const tag of tags) {
        if (byTag.has(tag)) continue;
        byTag.set(tag, { receivedAt: at, imageBefore: latestImage(stream, tag) });
      }
      this.waiting.set(streamKey, byTag);
    }
  }

  /** A stream changed: tags waiting for their push to show a new image measure it now. */
  observe(streamKey: string, stream: ImageStream | undefined): void {
    const byTag = this.waiting.get(streamKey);
    if (!byTag) return;
    const now = this.now();
    for (const [tag, w] of byTag) {
      const image = latestImage(stream, tag);
      if (image !== undefined && image !== w.imageBefore) {
        this.deps.observeLatencySeconds((now - w.receivedAt) / 1000);
        byTag.delete(tag);
      } else if (now - w.receivedAt > LATENCY_WINDOW_MS) byTag.delete(tag);
    }
    if (byTag.size === 0) this.waiting.delete(streamKey);
  }

  stop(): void {
    for (const p of this.pending.values()) for (const t of p.timers) clearTimeout(t);
    this.pending.clear();
    this.keysOf.clear();
  }
}

function latestImage(stream: ImageStream | undefined, tag: string): string | undefined {
  return stream ? findStatusTag(stream, tag)?.items?.[0]?.image : undefined;
}
