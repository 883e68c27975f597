// Periodic garbage collection of Image objects no stream's history refers to.
// Runs only when the operator watches every namespace: with a partial view it
// could not know that a stream elsewhere still refers to an image.
import { digestFromImageObjectName, type Image, type ImageStream } from "../api/types.js";
import type { Config } from "../config.js";
import { errorSummary, type Logger } from "../observability/logger.js";
import { planImageGC } from "../reconcile/images-gc.js";
import type { ImagesInUse } from "./images-in-use.js";
import type { ImageStreamWriter } from "./imagestream-writer.js";
import { every } from "./informer.js";

interface Lister<T> {
  list(): T[];
  synced: boolean;
}

export class ImageGarbageCollector {
  constructor(
    private readonly streams: Lister<ImageStream>,
    private readonly images: Lister<Image>,
    private readonly writer: Pick<ImageStreamWriter, "deleteImage">,
    private readonly config: Pick<Config, "imageGcGraceMinutes">,
    private readonly log: Logger,
    private readonly inUse: Pick<ImagesInUse, "isHeld">,
    private readonly intervalMs = 5 * 60_000,
  ) {}

  start(): () => void {
    return every(this.intervalMs, () => void this.collect());
  }

  /** Deletes unreferenced Images; returns their names. */
  async collect(now = new Date()): Promise<string[]> {
    if (!this.streams.synced || !this.images.synced) return [];
    const doomed = planImageGC(
      this.streams.list(),
      this.images.list(),
      now,
      this.config.imageGcGraceMinutes,
    );
    const deleted: string[] = [];
    for (const name of doomed) {
      // checked at the last moment: an import may have claimed it since the plan
      if (this.inUse.isHeld(digestFromImageObjectName(name))) continue;
      try {
        await this.writer.deleteImage(name);
        deleted.push(name);
      } catch (err) {
        this.log.warn({ image: name, err: errorSummary(err) }, "image GC delete failed");
      }
    }
    if (deleted.length > 0) this.log.info({ count: deleted.length }, "garbage-collected images");
    return deleted;
  }
}
