// A label whose values come from the outside (registry hosts named in image
// streams): the first `max` distinct values keep their name, later ones share
// "other", so a cluster with many registries cannot blow up the series count.

export const OTHER = "other";

export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return OTHER;
    this.seen.add(value);
    return value;
  }
}
