// Periodic garbage collection of Image objects no stream's history refers to.
// Runs only when the operator watches every namespace: with a partial view it
// could not know that a stream elsewhere still refers to an image.
import { digestFromImageObjectName, type Image, type ImageStream } from "../api/types.js";
import type { Config } from "../config.js";
import { errorSummary, type Logger } from "../observability/logger.js";
import { childDigests, imageDigest } from "../reconcile/images.js";
import {
  imagesWithUnknownChildren,
  planImageGC,
  referencedDigests,
} from "../reconcile/images-gc.js";
import type { ImagesInUse } from "./images-in-use.js";
import type { ImageReader, ImageStreamWriter } from "./imagestream-writer.js";
import { every } from "./informer.js";

interface Lister<T> {
  list(): T[];
  synced: boolean;
}

export class ImageGarbageCollector {
  /** children of referenced pre-annotation Images, read once each (see childDigests) */
  private readonly readChildren = new Map<string, string[]>();

  constructor(
    private readonly streams: Lister<ImageStream>,
    private readonly images: Lister<Image>,
    private readonly writer: Pick<ImageStreamWriter, "deleteImage"> & ImageReader,
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
    const streams = this.streams.list();
    const images = this.images.list();
    await this.readUnknownChildren(referencedDigests(streams), images);
    const doomed = planImageGC(
      streams,
      images,
      now,
      this.config.imageGcGraceMinutes,
      this.readChildren,
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

  // Images created before ANN_IMAGE_MANIFESTS: the metadata cache cannot say
  // whether they are lists, so each referenced one is read in full once. The
  // memo keeps only digests still referenced, so it cannot grow without bound.
  private async readUnknownChildren(referenced: Set<string>, images: Image[]): Promise<void> {
    for (const digest of this.readChildren.keys()) {
      if (!referenced.has(digest)) this.readChildren.delete(digest);
    }
    for (const img of imagesWithUnknownChildren(referenced, images)) {
      const digest = imageDigest(img);
      if (this.readChildren.has(digest)) continue;
      try {
        const full = await this.writer.getImage(img.metadata.name ?? "");
        this.readChildren.set(digest, (full && childDigests(full)) ?? []);
      } catch (err) {
        this.log.warn({ image: img.metadata.name, err: errorSummary(err) }, "image GC read failed");
      }
    }
  }
}
