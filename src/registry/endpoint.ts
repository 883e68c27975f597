// Finding out how to talk to a registry: `GET /v2/` over HTTPS, and over plain
// HTTP only when the import is insecure. Without the insecure flag a registry
// that only speaks HTTP is reported as such (OpenShift's message) instead of a
// confusing TLS error. The answer also carries the auth challenge.

import { type Challenge, parseChallenges, pickChallenge } from "./auth.js";
import { errorFromConnection, errorFromResponse } from "./errors.js";
import { BoundedCache } from "./lru.js";
import { type FetchSettings, fetchFollowingRedirects } from "./redirects.js";
import { ConnectionError, type HttpResponse, headerValue } from "./transport.js";
import { ImportError } from "./types.js";

const PING_BODY_LIMIT = 64 * 1024;
const ENDPOINT_TTL_MS = 5 * 60 * 1000;

export interface Endpoint {
  /** "https://host:port" or "http://host:port" */
  origin: string;
  /** the challenge of an anonymous /v2/ request, if it was refused */
  challenge?: Challenge | undefined;
}

export interface PingRequest {
  host: string;
  insecure: boolean;
  /** the user's reference, for messages */
  reference: string;
  repository: string;
  signal?: AbortSignal | undefined;
}

export class EndpointResolver {
  private readonly cache = new BoundedCache<string, { endpoint: Endpoint; expiresAt: number }>(500);

  constructor(
    private readonly settings: FetchSettings,
    private readonly now: () => number,
  ) {}

  async resolve(request: PingRequest): Promise<Endpoint> {
    const key = `${request.host}|${request.insecure}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.endpoint;
    const endpoint = await this.discover(request);
    this.cache.set(key, { endpoint, expiresAt: this.now() + ENDPOINT_TTL_MS });
    return endpoint;
  }

  private async discover(request: PingRequest): Promise<Endpoint> {
    const secureOrigin = `https://${request.host}`;
    try {
      return this.endpointFrom(secureOrigin, await this.ping(secureOrigin, request), request);
    } catch (error) {
      if (!isConnectionFailure(error)) throw error;
      const plainOrigin = `http://${request.host}`;
      if (request.insecure) {
        try {
          return this.endpointFrom(plainOrigin, await this.ping(plainOrigin, request), request);
        } catch (plainError) {
          throw errorFromConnection(isConnectionFailure(plainError) ? error : plainError);
        }
      }
      if (error instanceof ConnectionError && !error.certificateProblem) {
        if (await this.answersPlainHttp(plainOrigin, request)) {
          throw new ImportError(
            "InsecureRequired",
            `the repository ${request.repository} is HTTP only and requires the insecure flag to import`,
          );
        }
      }
      throw errorFromConnection(error);
    }
  }

  private ping(origin: string, request: PingRequest): Promise<HttpResponse> {
    return fetchFollowingRedirects(this.settings, new URL("/v2/", origin), {
      method: "GET",
      headers: {},
      maxBodyBytes: PING_BODY_LIMIT,
      insecure: request.insecure,
      signal: request.signal,
    });
  }

  private endpointFrom(origin: string, response: HttpResponse, request: PingRequest): Endpoint {
    if (response.status >= 200 && response.status < 300) return { origin };
    if (response.status === 401) {
      const challenge = pickChallenge(
        parseChallenges(headerValue(response.headers, "www-authenticate")),
      );
      return { origin, challenge };
    }
    if (response.status === 404) {
      throw new ImportError(
        "InternalError",
        `registry ${response.url.host} does not support the v2 registry API`,
      );
    }
    throw errorFromResponse(response, { reference: request.reference, now: this.now });
  }

  private async answersPlainHttp(origin: string, request: PingRequest): Promise<boolean> {
    try {
      await this.ping(origin, request);
      return true;
    } catch {
      return false;
    }
  }
}

/** Failures that make a plain-HTTP attempt worth it: no HTTP answer at all. */
function isConnectionFailure(error: unknown): boolean {
  return (
    error instanceof ConnectionError || (error instanceof ImportError && error.reason === "Timeout")
  );
}
