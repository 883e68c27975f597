// Which registries a tenant may make the operator talk to. Users choose the
// host (spec.tags[].from.name), so without a policy an import is a request
// forgery primitive: link-local and cloud metadata addresses are refused by
// default, checked on the addresses the name resolves to (before connecting,
// for redirect and token-realm hosts too), so a DNS name pointing at
// 169.254.169.254 is refused like the literal address.

import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";
import { ImportError } from "./types.js";

export interface RegistryPolicyOptions {
  /** host[:port] globs (`*` matches any run of characters); empty means every host */
  allowedRegistries?: string[];
  /** host[:port] globs refused even when allowed */
  blockedRegistries?: string[];
  /** resolves a host name to all its addresses; defaults to the system resolver */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

const METADATA_HOSTNAMES = new Set(["metadata.google.internal", "metadata.goog"]);

function defaultDeniedAddresses(): BlockList {
  const denied = new BlockList();
  denied.addSubnet("169.254.0.0", 16, "ipv4"); // link-local, incl. 169.254.169.254 (AWS, GCP, Azure)
  denied.addSubnet("fe80::", 10, "ipv6"); // link-local
  denied.addAddress("fd00:ec2::254", "ipv6"); // AWS metadata over IPv6
  denied.addAddress("100.100.100.200", "ipv4"); // Alibaba Cloud metadata
  return denied;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .toLowerCase()
    .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`);
}

/** A pattern without a port matches the host on any port. */
function hostMatches(patterns: RegExp[], hostWithPort: string): boolean {
  const lower = hostWithPort.toLowerCase();
  const hostOnly = lower.replace(/:[0-9]+$/, "");
  return patterns.some((pattern) => pattern.test(lower) || pattern.test(hostOnly));
}

/** IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are judged as the IPv4 address. */
function unmapIPv4(address: string): string {
  const mapped = /^::ffff:([0-9.]+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

function systemResolve(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses);
    });
  });
}

export class RegistryPolicy {
  private readonly allowed: RegExp[];
  private readonly blocked: RegExp[];
  private readonly deniedAddresses = defaultDeniedAddresses();
  private readonly resolve: (hostname: string) => Promise<LookupAddress[]>;

  constructor(options: RegistryPolicyOptions = {}) {
    this.allowed = (options.allowedRegistries ?? []).map(globToRegExp);
    this.blocked = (options.blockedRegistries ?? []).map(globToRegExp);
    this.resolve = options.resolve ?? systemResolve;
  }

  /** Throws Forbidden when the tenant may not import from this registry. */
  checkRegistry(registry: string): void {
    this.checkConnection(registry);
    if (this.allowed.length > 0 && !hostMatches(this.allowed, registry)) {
      throw new ImportError("Forbidden", `registry ${registry} is not in the allowed registries`);
    }
  }

  /**
   * Throws Forbidden for a blocked host, whatever led there: the registry, a
   * redirect or a token realm. (The allow list names the registries tenants
   * import from; their token services and blob storage live elsewhere, such
   * as auth.docker.io or a CDN, so it cannot be applied to every hop.)
   */
  checkConnection(hostWithPort: string): void {
    if (this.blocked.length > 0 && hostMatches(this.blocked, hostWithPort)) {
      throw new ImportError("Forbidden", `registry ${hostWithPort} is blocked`);
    }
  }

  isAddressDenied(address: string): boolean {
    const plain = unmapIPv4(address);
    const family = isIP(plain);
    if (family === 0) return false;
    return this.deniedAddresses.check(plain, family === 4 ? "ipv4" : "ipv6");
  }

  /**
   * Resolves a host for connecting: every address must be permitted, so a name
   * with one public and one metadata address cannot be used to reach the latter.
   */
  async resolveForConnect(hostname: string): Promise<LookupAddress[]> {
    const host = hostname.replace(/^\[|\]$/g, "");
    if (METADATA_HOSTNAMES.has(host.toLowerCase().replace(/\.$/, ""))) {
      throw forbiddenHost(hostname);
    }
    const literalFamily = isIP(host);
    const addresses =
      literalFamily !== 0 ? [{ address: host, family: literalFamily }] : await this.resolve(host);
    if (addresses.some((entry) => this.isAddressDenied(entry.address))) {
      throw forbiddenHost(hostname);
    }
    return addresses;
  }
}

function forbiddenHost(hostname: string): ImportError {
  return new ImportError(
    "Forbidden",
    `connections to ${hostname} are not allowed (link-local or cloud metadata address)`,
  );
}
