// Connecting as kubectl does: --kubeconfig, else KUBECONFIG, else
// ~/.kube/config; --context picks a context; the namespace is -n, else the
// context's, else "default". client-node silently falls back to
// http://localhost:8080 when it finds no configuration: we report that as
// "not logged in" instead of a connection error to nowhere.
import { KubeConfig } from "@kubernetes/client-node";
import { CliError } from "./errors.js";
import type { GlobalFlags } from "./flags.js";
import { KubeStreams, type StreamApi } from "./streams.js";

export interface Session {
  streams: StreamApi;
  namespace: string;
  /** for the few reads beyond image streams (`why` reads workloads) */
  config: KubeConfig;
}

export function loadConfig(flags: GlobalFlags): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot load the kubeconfig: ${why}`);
  }
  if (flags.context) {
    if (!kc.getContextObject(flags.context)) {
      throw new CliError(`context "${flags.context}" does not exist in the kubeconfig`);
    }
    kc.setCurrentContext(flags.context);
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server || /^https?:\/\/localhost:8080\/?$/.test(server)) {
    throw new CliError(
      "not logged in to a cluster: no Kubernetes configuration found (set KUBECONFIG or pass --kubeconfig)",
    );
  }
  return kc;
}

export function currentNamespace(kc: KubeConfig, flags: GlobalFlags): string {
  if (flags.namespace) return flags.namespace;
  return kc.getContextObject(kc.getCurrentContext())?.namespace || "default";
}

export function openSession(flags: GlobalFlags): Session {
  const kc = loadConfig(flags);
  return { streams: new KubeStreams(kc), namespace: currentNamespace(kc, flags), config: kc };
}
