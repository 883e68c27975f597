// A user of one namespace for the e2e tests: a ServiceAccount bound to one of
// the aggregated user roles (view, edit, admin) there, with a real token in a
// kubeconfig of its own, so every decision about it is the API server's RBAC.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kubectlOk } from "./kubectl.js";

/** The kubeconfig path of a new ServiceAccount `name` bound to `clusterRole` in `namespace`. */
export function namespaceUser(namespace: string, name: string, clusterRole: string): string {
  kubectlOk(["create", "serviceaccount", name, "-n", namespace]);
  kubectlOk([
    ...["create", "rolebinding", `${name}-${clusterRole}`, "-n", namespace],
    ...[`--clusterrole=${clusterRole}`, `--serviceaccount=${namespace}:${name}`],
  ]);
  const token = kubectlOk(["create", "token", name, "-n", namespace, "--duration=1h"]).trim();
  const cluster = (path: string, raw = false) =>
    kubectlOk(["config", "view", "--minify", ...(raw ? ["--raw"] : []), "-o", `jsonpath=${path}`]);
  const server = cluster("{.clusters[0].cluster.server}");
  const ca = cluster("{.clusters[0].cluster.certificate-authority-data}", true);
  const file = join(tmpdir(), `iso-e2e-${namespace}-${name}.kubeconfig`);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server, "certificate-authority-data": ca } }],
      users: [{ name, user: { token } }],
      contexts: [{ name, context: { cluster: "c", user: name, namespace } }],
      "current-context": name,
    }),
    { mode: 0o600 },
  );
  return file;
}
