// Digests the import controller has just named (or is about to name) in a
// stream's status. The garbage collector judges references from its informer
// cache, which lags our own writes: an old, unreferenced Image that an import
// finds again is not re-created (it exists), so without this hold it could be
// deleted between that check and the status write reaching the cache, leaving
// a status that names a missing Image. Both run in the leader's process.

export class ImagesInUse {
  /** digest -> when last claimed, in claim order (oldest first): re-claiming moves a digest last */
  private readonly lastUse = new Map<string, number>();

  constructor(
    private readonly holdMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Marks a digest as used now; call before checking whether its Image exists. */
  claim(digest: string): void {
    const now = this.now();
    this.lastUse.delete(digest);
    this.lastUse.set(digest, now);
    this.forgetExpired(now);
  }

  /** Whether the digest was claimed within the hold period. */
  isHeld(digest: string): boolean {
    const last = this.lastUse.get(digest);
    return last !== undefined && this.now() - last < this.holdMs;
  }

  /** Digests held now (claimed within the hold period), for tests and sizing. */
  get size(): number {
    return this.lastUse.size;
  }

  // Only the oldest claims can have expired: stop at the first that has not,
  // so a claim costs O(1) amortized however many digests are held (a cold
  // import of 30,000 tags holds all of them for the hold period).
  private forgetExpired(now: number): void {
    for (const [digest, last] of this.lastUse) {
      if (now - last < this.holdMs) return;
      this.lastUse.delete(digest);
    }
  }
}
