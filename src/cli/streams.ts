// The only I/O the commands do: read, create and patch ImageStreams. An
// interface, so the commands' flow is written once against it; KubeStreams is
// the real implementation over client-node.
import {
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { GROUP, IMAGESTREAM_PLURAL, type ImageStream, VERSION } from "../api/types.js";
import {
  CliError,
  describeApiError,
  isConflict,
  isMissingApi,
  isNotFound,
  serverMessage,
} from "./errors.js";

export interface PatchOp {
  op: "add" | "replace" | "remove" | "test";
  path: string;
  value?: unknown;
}

export interface StreamApi {
  /** undefined when the stream does not exist */
  get(namespace: string, name: string): Promise<ImageStream | undefined>;
  create(namespace: string, stream: ImageStream): Promise<ImageStream>;
  patch(namespace: string, name: string, ops: PatchOp[]): Promise<ImageStream>;
}

const STREAMS = { group: GROUP, version: VERSION, plural: IMAGESTREAM_PLURAL };
const jsonPatch = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);

export class KubeStreams implements StreamApi {
  private readonly api: CustomObjectsApi;
  private readonly server: string;

  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(CustomObjectsApi);
    this.server = kc.getCurrentCluster()?.server ?? "(unknown server)";
  }

  async get(namespace: string, name: string): Promise<ImageStream | undefined> {
    try {
      return (await this.api.getNamespacedCustomObject({
        ...STREAMS,
        namespace,
        name,
      })) as ImageStream;
    } catch (error) {
      if (isNotFound(error) && !isMissingApi(error)) return undefined;
      throw describeApiError(error, this.server);
    }
  }

  async list(namespace: string): Promise<ImageStream[]> {
    try {
      const list = await this.api.listNamespacedCustomObject({ ...STREAMS, namespace });
      return (list as { items: ImageStream[] }).items;
    } catch (error) {
      throw describeApiError(error, this.server);
    }
  }

  async create(namespace: string, stream: ImageStream): Promise<ImageStream> {
    try {
      return (await this.api.createNamespacedCustomObject({
        ...STREAMS,
        namespace,
        body: stream,
      })) as ImageStream;
    } catch (error) {
      throw this.translate(error);
    }
  }

  async patch(namespace: string, name: string, ops: PatchOp[]): Promise<ImageStream> {
    try {
      return (await this.api.patchNamespacedCustomObject(
        { ...STREAMS, namespace, name, body: ops },
        jsonPatch,
      )) as ImageStream;
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** Conflicts stay raw so withConflictRetry can see them; the rest become CliErrors. */
  private translate(error: unknown): unknown {
    return isConflict(error) ? error : describeApiError(error, this.server);
  }
}

/**
 * Runs read-plan-write again when a concurrent writer (usually the operator
 * stamping generations or writing status) changed the object in between.
 */
export async function withConflictRetry<T>(
  attempt: () => Promise<T>,
  attempts = 5,
  subject = "the image stream",
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isConflict(error)) throw error;
      if (i >= attempts) {
        throw new CliError(
          `${subject} kept changing while this command updated it (${serverMessage(error) ?? "conflict"}); try again`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * i));
    }
  }
}
