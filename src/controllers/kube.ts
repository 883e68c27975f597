// Loading cluster credentials. client-node's loadFromDefault() silently falls
// back to http://localhost:8080 when it finds nothing: we refuse that, so a
// misconfigured operator fails at start instead of talking to nowhere.
import { KubeConfig } from "@kubernetes/client-node";

export function loadKubeConfig(kubeconfigPath?: string, env = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) {
    kc.loadFromFile(kubeconfigPath);
  } else if (env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster(); // re-reads the projected token periodically
  } else {
    kc.loadFromDefault();
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server || /^https?:\/\/localhost:8080\/?$/.test(server)) {
    throw new Error(
      "no Kubernetes configuration found: set KUBECONFIG or --kubeconfig, or run in a pod (refusing the localhost:8080 fallback)",
    );
  }
  return kc;
}
