// Public surface of the registry client.

export { createRegistryClient, HttpRegistryClient } from "./client.js";
export { DOCKERCFG_TYPE, DOCKERCONFIGJSON_TYPE, Keyring, type KeyringBuild } from "./keyring.js";
export type { RegistryClientOptions } from "./options.js";
export { RegistryPolicy, type RegistryPolicyOptions } from "./policy.js";
export {
  apiHost,
  canonicalName,
  digestReference,
  isValidDigest,
  type ParsedReference,
  parseImageReference,
} from "./reference.js";
export * from "./types.js";
