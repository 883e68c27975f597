// The --reference-policy and --import-mode values shared by `tag` and
// `import-image`, with OpenShift's messages.
import type { ImportMode, ReferencePolicyType } from "../api/types.js";
import { CliError } from "./errors.js";

export function parseReferencePolicy(value: string | undefined): ReferencePolicyType | undefined {
  if (value === undefined) return undefined;
  switch (value.toLowerCase()) {
    case "source":
      return "Source";
    case "local":
      return "Local";
    default:
      throw new CliError("reference policy must be set to 'source' or 'local'");
  }
}

export function parseImportMode(value: string | undefined): ImportMode | undefined {
  if (value === undefined) return undefined;
  if (value === "Legacy" || value === "PreserveOriginal") return value;
  throw new CliError("valid ImportMode values are Legacy or PreserveOriginal");
}
