// The checks before a trigger writes a digest into a workload (ADR 0030):
// - pullable: a HEAD by digest with the credentials the workload's pods
//   would use (the pod spec's imagePullSecrets and its ServiceAccount's),
//   answered without a request when the import read that digest with one of
//   those credentials recently (src/registry: checkPullable);
// - platforms: the image (a manifest list's children) covers the os/arch of
//   every node the pods can be scheduled on.
// A refusal holds the write; what cannot be judged (no nodes known, no Image
// object, a reference without a digest) lets it roll.
import type { V1Secret } from "@kubernetes/client-node";
import { ANN_INSECURE_REPOSITORY, type ImageStream } from "../../api/types.js";
import { recordedListDigests } from "../../reconcile/list-digests.js";
import {
  type ContainerImageChange,
  type NodeLabels,
  type Platform,
  type PodPlacement,
  platformVerdict,
  podSpecOf,
  type Refusal,
  type Workload,
} from "../../reconcile/triggers/index.js";
import { Keyring } from "../../registry/keyring.js";
import { parseImageReference } from "../../registry/reference.js";
import { ImportError, type RegistryClient } from "../../registry/types.js";

export interface PreWriteCheckDeps {
  registry: Pick<RegistryClient, "checkPullable">;
  /** a pull secret of a namespace by name (the pull-secret informers' caches) */
  pullSecret: (namespace: string, name: string) => V1Secret | undefined;
  /** the imagePullSecrets of a ServiceAccount; undefined when it does not exist */
  serviceAccountSecrets: (namespace: string, name: string) => Promise<string[] | undefined>;
  /** every node, by name and labels; empty when none is known */
  nodes: () => NodeLabels[];
  /** the platforms of the Image object of a digest; undefined when unknown */
  imagePlatforms: (digest: string) => Promise<Platform[] | undefined>;
  freshMs: number;
  /** what could not be judged, and so rolled (no nodes known...) */
  onNote?: (note: string) => void;
}

interface PodSpecView extends PodPlacement {
  imagePullSecrets?: { name?: string }[];
  serviceAccountName?: string;
}

/**
 * What the checks read from the workload, as text: when it changes (a pull
 * secret added, the node selection narrowed) a refusal is checked again at
 * once instead of after its backoff.
 */
export function checkInputs(workload: Workload): string {
  const spec = (podSpecOf(workload) ?? {}) as PodSpecView;
  return JSON.stringify([
    spec.imagePullSecrets ?? [],
    spec.serviceAccountName ?? "",
    spec.nodeSelector ?? {},
    spec.affinity ?? {},
  ]);
}

export class PreWriteChecks {
  constructor(private readonly deps: PreWriteCheckDeps) {}

  /** A refusal, or undefined when the digest may be written. */
  async check(
    workload: Workload,
    change: ContainerImageChange,
    stream: ImageStream | undefined,
  ): Promise<Refusal | undefined> {
    const podSpec = (podSpecOf(workload) ?? {}) as PodSpecView;
    const pull = await this.pullable(
      workload,
      podSpec,
      change.newImage,
      stream,
      change.trigger.tag,
    );
    if (pull !== undefined) return pull;
    return this.platforms(podSpec, change, stream);
  }

  private async pullable(
    workload: Workload,
    podSpec: PodSpecView,
    image: string,
    stream: ImageStream | undefined,
    tag: string,
  ): Promise<Refusal | undefined> {
    let parsed: ReturnType<typeof parseImageReference>;
    try {
      parsed = parseImageReference(image);
    } catch {
      return undefined; // not a pull spec we can judge; the kubelet will say
    }
    if (parsed.digest === undefined) return undefined; // a reference: true tag by name
    const namespace = workload.metadata?.namespace ?? "";
    const secrets = await this.secretNames(namespace, podSpec);
    const found = secrets.names.map((n) => this.deps.pullSecret(namespace, n));
    // the kubelet uses a secret the imports are told to skip (excludeSecret) all the same
    const present = found
      .filter((s): s is V1Secret => s !== undefined)
      .map((s) => ({ ...s, metadata: { ...s.metadata, annotations: {} } }));
    const missing = secrets.names.filter((_, i) => found[i] === undefined);
    const credentials = Keyring.fromSecrets(present).keyring.lookup(parsed);
    try {
      await this.deps.registry.checkPullable({
        reference: image,
        insecure: insecureTag(stream, tag),
        credentials,
        freshMs: this.deps.freshMs,
      });
      return undefined;
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      return pullRefusal(image, error, secrets, missing, credentials.length);
    }
  }

  private async secretNames(namespace: string, podSpec: PodSpecView) {
    const account = podSpec.serviceAccountName || "default";
    const own = (podSpec.imagePullSecrets ?? []).map((s) => s.name ?? "").filter((n) => n !== "");
    const fromAccount = (await this.deps.serviceAccountSecrets(namespace, account)) ?? [];
    return { names: [...new Set([...own, ...fromAccount])], account, namespace };
  }

  private async platforms(
    podSpec: PodSpecView,
    change: ContainerImageChange,
    stream: ImageStream | undefined,
  ): Promise<Refusal | undefined> {
    const nodes = this.deps.nodes();
    if (nodes.length === 0) {
      this.deps.onNote?.("no nodes are known: platforms are not checked before writes");
      return undefined;
    }
    const digest = change.newImage.slice(change.newImage.lastIndexOf("@") + 1);
    if (!digest.startsWith("sha256:")) return undefined;
    const platforms = (await this.deps.imagePlatforms(digest)) ?? [];
    const legacyList = stream ? recordedListDigests(stream)[change.trigger.tag] : undefined;
    const verdict = platformVerdict(
      { platforms, ...(legacyList ? { legacyList } : {}) },
      podSpec,
      nodes,
    );
    if (verdict.ok) {
      if (verdict.note !== undefined) this.deps.onNote?.(`${change.newImage}: ${verdict.note}`);
      return undefined;
    }
    return { reason: "PlatformMismatch", image: change.newImage, message: verdict.message };
  }
}

function pullRefusal(
  image: string,
  error: ImportError,
  secrets: { names: string[]; account: string; namespace: string },
  missing: string[],
  matching: number,
): Refusal {
  const { names, account, namespace } = secrets;
  const listed =
    names.length === 0
      ? `none: the pod spec and service account ${namespace}/${account} name no pull secrets`
      : names.map((n) => `${namespace}/${n}`).join(", ");
  const gone = missing.length === 0 ? "" : `; missing: ${missing.join(", ")}`;
  const used = matching === 0 ? "; no entry for this registry, so anonymously" : "";
  if (error.reason === "Unauthorized" || error.reason === "Forbidden") {
    return {
      reason: "ImageNotPullable",
      image,
      message: `not readable with the workload's pull secrets (${listed}${gone}${used}): ${error.message}`,
    };
  }
  if (error.reason === "NotFound") {
    return {
      reason: "ImageNotPullable",
      image,
      message: `the registry does not have it (deleted?): ${error.message}`,
    };
  }
  return {
    reason: "ImageCheckFailed",
    image,
    message: `could not ask the registry whether the pods can pull it (${error.reason}): ${error.message}; retried`,
  };
}

function insecureTag(stream: ImageStream | undefined, tag: string): boolean {
  if (stream?.metadata.annotations?.[ANN_INSECURE_REPOSITORY] === "true") return true;
  return stream?.spec?.tags?.find((t) => t.name === tag)?.importPolicy?.insecure === true;
}
