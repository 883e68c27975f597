// An ImageStream tag (<stream>:latest) following a repository of runnable
// test images (test-image.ts): what the e2e tests that run pods on the node
// release through. Each build has its own marker, so its own digest.
//
//   const app = new RunnableStream(ns, "web", targets.plain);
//   const first = await app.create();     // pushed, the stream created and imported
//   const next = await app.release();     // pushed and re-imported: the tag moved
import { requestReimport, waitForTagImage } from "../../../bench/trigger-cluster.js";
import type { PushTarget } from "../../support/registry-push.js";
import { createStream, dockerTag, uniqueRepository } from "../imports-support.js";
import { pushTestImage, type TestImage, type TestImageOptions } from "./test-image.js";

export interface Build {
  image: TestImage;
  marker: string;
}

const IMPORT_MS = 60_000;

export class RunnableStream {
  readonly repository: string;
  private builds = 0;

  constructor(
    readonly namespace: string,
    readonly stream: string,
    readonly target: PushTarget,
  ) {
    this.repository = uniqueRepository(stream);
  }

  /** A new image pushed as the repository's :latest (not imported yet). */
  publish(options: TestImageOptions = {}): Build {
    this.builds += 1;
    const marker = `${this.namespace}/${this.stream} build ${this.builds}`;
    const image = pushTestImage(this.target, this.repository, "latest", marker, options);
    return { image, marker };
  }

  /** The stream, created following :latest and imported at a first build. */
  async create(): Promise<Build> {
    const first = this.publish();
    const from = `${this.target.registry}/${this.repository}:latest`;
    const policy = this.target.scheme === "http" ? { importPolicy: { insecure: true } } : {};
    await createStream(this.namespace, this.stream, { tags: [dockerTag("latest", from, policy)] });
    await this.imported(first);
    return first;
  }

  /** Pushes and imports the next build, as a release would: what a trigger writes next. */
  async release(options: TestImageOptions = {}): Promise<Build> {
    const next = this.publish(options);
    await requestReimport(this.namespace, this.stream, "latest");
    await this.imported(next);
    return next;
  }

  private async imported(build: Build): Promise<void> {
    const reference = await waitForTagImage(
      this.namespace,
      this.stream,
      "latest",
      build.image.digest,
      IMPORT_MS,
    );
    if (reference !== build.image.reference) {
      throw new Error(
        `${this.stream}:latest imported as ${reference}, pushed as ${build.image.reference}`,
      );
    }
  }
}
