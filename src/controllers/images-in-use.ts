// Digests the import controller has just named (or is about to name) in a
// stream's status. The garbage collector judges references from its informer
// cache, which lags our own writes: an old, unreferenced Image that an import
// finds again is not re-created (it exists), so without this hold it could be
// deleted between that check and the status write reaching the cache, leaving
// a status that names a missing Image. Both run in the leader's process.

export class ImagesInUse {
  private readonly lastUse = new Map<string, number>();

  constructor(
    private readonly holdMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Marks a digest as used now; call before checking whether its Image exists. */
  claim(digest: string): void {
    if (this.lastUse.size >= 10_000) this.forgetExpired();
    this.lastUse.set(digest, this.now());
  }

  /** Whether the digest was claimed within the hold period. */
  isHeld(digest: string): boolean {
    const last = this.lastUse.get(digest);
    return last !== undefined && this.now() - last < this.holdMs;
  }

  private forgetExpired(): void {
    for (const [digest, last] of this.lastUse) {
      if (this.now() - last >= this.holdMs) this.lastUse.delete(digest);
    }
  }
}
