// The reads and writes of `set image-lookup`: list and patch image streams,
// read and patch the objects carrying the annotation. An interface, so the
// command's flow is tested without a cluster; KubeLookupApi is the real one.
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from "@kubernetes/client-node";
import { API_VERSION, type ImageStream } from "../../api/types.js";
import { CliError, describeApiError, isMissingApi, isNotFound } from "../errors.js";
import { type LookupTarget, targetLabel } from "./targets.js";

export interface LookupApi {
  listStreams(namespace: string): Promise<ImageStream[]>;
  /** undefined when the object does not exist */
  read(target: LookupTarget, namespace: string): Promise<unknown>;
  mergePatch(
    target: LookupTarget,
    namespace: string,
    patch: Record<string, unknown>,
  ): Promise<void>;
}

function header(target: LookupTarget, namespace: string): KubernetesObject {
  const metadata = { name: target.name, namespace };
  return target.type === "stream"
    ? { apiVersion: API_VERSION, kind: "ImageStream", metadata }
    : { apiVersion: target.kind.apiVersion, kind: target.kind.kind, metadata };
}

export class KubeLookupApi implements LookupApi {
  private readonly api: KubernetesObjectApi;
  private readonly server: string;

  constructor(kc: KubeConfig) {
    this.api = KubernetesObjectApi.makeApiClient(kc);
    this.server = kc.getCurrentCluster()?.server ?? "(unknown server)";
  }

  async listStreams(namespace: string): Promise<ImageStream[]> {
    try {
      const list = await this.api.list<ImageStream & KubernetesObject>(
        API_VERSION,
        "ImageStream",
        namespace,
      );
      return list.items;
    } catch (error) {
      throw describeApiError(error, this.server);
    }
  }

  async read(target: LookupTarget, namespace: string): Promise<unknown> {
    try {
      return await this.api.read(
        header(target, namespace) as KubernetesObject & {
          metadata: { name: string; namespace: string };
        },
      );
    } catch (error) {
      if (isNotFound(error) && !isMissingApi(error)) return undefined;
      throw describeApiError(error, this.server);
    }
  }

  async mergePatch(
    target: LookupTarget,
    namespace: string,
    patch: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.api.patch(
        { ...header(target, namespace), ...patch },
        undefined,
        undefined,
        "kubectl-imagestream",
        undefined,
        PatchStrategy.MergePatch,
      );
    } catch (error) {
      if (isNotFound(error) && !isMissingApi(error)) {
        throw new CliError(`${targetLabel(target)} not found in namespace "${namespace}"`);
      }
      throw describeApiError(error, this.server);
    }
  }
}
