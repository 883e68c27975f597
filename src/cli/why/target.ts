// `why KIND/NAME` (or `why KIND NAME`): which workload to explain.
import type { WorkloadKind } from "../../reconcile/triggers/index.js";
import { CliError, UsageError } from "../errors.js";

const KINDS: Record<string, WorkloadKind> = {
  deployment: "Deployment",
  deployments: "Deployment",
  deploy: "Deployment",
  "deployment.apps": "Deployment",
  statefulset: "StatefulSet",
  statefulsets: "StatefulSet",
  sts: "StatefulSet",
  "statefulset.apps": "StatefulSet",
  daemonset: "DaemonSet",
  daemonsets: "DaemonSet",
  ds: "DaemonSet",
  "daemonset.apps": "DaemonSet",
  cronjob: "CronJob",
  cronjobs: "CronJob",
  cj: "CronJob",
  "cronjob.batch": "CronJob",
};

export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
}

function kindOf(text: string): WorkloadKind {
  const kind = KINDS[text.toLowerCase()];
  if (!kind) {
    throw new CliError(
      `"${text}" is not a workload image triggers act on: use deployment, statefulset, daemonset or cronjob`,
    );
  }
  return kind;
}

/** KIND/NAME or KIND NAME; `command` names the --help a mistake points to. */
export function parseWorkloadRef(positionals: readonly string[], command = "why"): WorkloadRef {
  const [first, second, ...extra] = positionals;
  if (first === undefined || extra.length > 0) {
    throw new UsageError("you must specify one workload: KIND/NAME", command);
  }
  if (second !== undefined) return { kind: kindOf(first), name: second };
  const slash = first.indexOf("/");
  if (slash < 0) throw new UsageError(`"${first}" must be of the form KIND/NAME`, command);
  const name = first.slice(slash + 1);
  if (!name) throw new UsageError(`"${first}" names no workload`, command);
  return { kind: kindOf(first.slice(0, slash)), name };
}

/** How kubectl names it: deployment/web. */
export function workloadLabel(ref: WorkloadRef): string {
  return `${ref.kind.toLowerCase()}/${ref.name}`;
}
