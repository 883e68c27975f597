import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  applyPlan,
  CA_LIFETIME_MS,
  planCertificates,
  SERVING_LIFETIME_MS,
  type ServingMaterial,
  splitPem,
} from "./certificates.js";

const names = {
  commonName: "iso.ns.svc",
  dnsNames: ["iso.ns.svc", "localhost"],
  ipAddresses: ["127.0.0.1"],
};
const T0 = new Date("2026-01-01T00:00:00Z");
const later = (ms: number) => new Date(T0.getTime() + ms);
const fresh = (now = T0) =>
  applyPlan(planCertificates(undefined, names.dnsNames, now), undefined, names, now);

describe("self-managed serving certificates", () => {
  const first = fresh();

  it("creates a CA and a serving certificate it signed, for every name", () => {
    const ca = new X509Certificate(first.ca.cert);
    const serving = new X509Certificate(first.serving.cert);
    expect(ca.ca).toBe(true);
    expect(serving.ca).toBe(false);
    expect(serving.checkIssued(ca) && serving.verify(ca.publicKey)).toBe(true);
    expect(serving.subjectAltName).toBe("DNS:iso.ns.svc, DNS:localhost, IP Address:127.0.0.1");
    expect(serving.keyUsage).toContain("1.3.6.1.5.5.7.3.1"); // serverAuth
    expect(splitPem(first.caBundle)).toEqual([first.ca.cert]);
  });

  it.each([
    ["just made", 0, "keep"],
    ["a month on", 30 * 86_400_000, "keep"],
    [
      "past two thirds of the serving lifetime",
      (SERVING_LIFETIME_MS * 2) / 3 + 86_400_000,
      "renew-serving",
    ],
    ["past two thirds of the CA lifetime", (CA_LIFETIME_MS * 2) / 3 + 86_400_000, "new-ca"],
  ] as const)("%s: %s", (_what, age, action) => {
    expect(planCertificates(first, names.dnsNames, later(age)).action).toBe(action);
  });

  it("renews the serving certificate when a name is missing or the key pair is gone", () => {
    expect(planCertificates(first, [...names.dnsNames, "other.svc"], T0)).toEqual({
      action: "renew-serving",
      reason: "serving certificate lacks other.svc",
    });
    const { serving: _gone, ...withoutServing } = first;
    expect(planCertificates(withoutServing, names.dnsNames, T0).action).toBe("renew-serving");
  });

  it("replaces a serving certificate another CA signed", () => {
    const other = fresh();
    const mixed: ServingMaterial = { ...first, serving: other.serving };
    expect(planCertificates(mixed, names.dnsNames, T0)).toEqual({
      action: "renew-serving",
      reason: "serving certificate not signed by the CA",
    });
  });

  it("renewing the serving certificate keeps the CA, so the published bundle stays valid", () => {
    const at = later(SERVING_LIFETIME_MS);
    const renewed = applyPlan(planCertificates(first, names.dnsNames, at), first, names, at);
    expect(renewed.ca).toEqual(first.ca);
    expect(renewed.caBundle).toBe(first.caBundle);
    expect(renewed.serving.cert).not.toBe(first.serving.cert);
    expect(planCertificates(renewed, names.dnsNames, at).action).toBe("keep");
  });

  it("a new CA is published beside the old one while the old one is valid", () => {
    const at = later((CA_LIFETIME_MS * 5) / 6);
    const rotated = applyPlan(planCertificates(first, names.dnsNames, at), first, names, at);
    expect(rotated.ca.cert).not.toBe(first.ca.cert);
    expect(splitPem(rotated.caBundle)).toEqual([rotated.ca.cert, first.ca.cert]);
    // a later serving renewal keeps both while the old CA is still valid
    const next = later((CA_LIFETIME_MS * 5) / 6 + SERVING_LIFETIME_MS * 0.7);
    const renewed = applyPlan(
      planCertificates(rotated, names.dnsNames, next),
      rotated,
      names,
      next,
    );
    expect(splitPem(renewed.caBundle)).toEqual([rotated.ca.cert, first.ca.cert]);
    // and drops the old CA once it expired
    const afterOld = later(CA_LIFETIME_MS + 86_400_000);
    const pruned = applyPlan({ action: "renew-serving", reason: "test" }, renewed, names, afterOld);
    expect(splitPem(pruned.caBundle)).toEqual([rotated.ca.cert]);
  });

  it("starts over when the stored CA is unreadable", () => {
    const broken = { ...first, ca: { cert: "not a certificate", key: first.ca.key } };
    expect(planCertificates(broken, names.dnsNames, T0)).toEqual({
      action: "new-ca",
      reason: "no CA yet",
    });
  });
});
