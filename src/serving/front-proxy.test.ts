import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { applyPlan, planCertificates } from "./certificates.js";
import { certificateRefusal, requestHeaderConfig, userFromHeaders } from "./front-proxy.js";

// kube-apiserver's ConfigMap as the test control plane fills it
const DATA = {
  "requestheader-client-ca-file": "-----BEGIN CERTIFICATE-----\n...",
  "requestheader-allowed-names": '["front-proxy-client"]',
  "requestheader-username-headers": '["X-Remote-User"]',
  "requestheader-group-headers": '["X-Remote-Group"]',
  "requestheader-extra-headers-prefix": '["X-Remote-Extra-"]',
  "requestheader-uid-headers": '["X-Remote-Uid"]',
};
const config = requestHeaderConfig(DATA);

describe("requestHeaderConfig", () => {
  it("reads the JSON lists, header names lower-cased as Node presents them", () => {
    expect(config).toEqual({
      clientCa: DATA["requestheader-client-ca-file"],
      allowedNames: ["front-proxy-client"],
      usernameHeaders: ["x-remote-user"],
      groupHeaders: ["x-remote-group"],
      extraPrefixes: ["x-remote-extra-"],
      uidHeaders: ["x-remote-uid"],
    });
  });

  it("is undefined when the API server has no requestheader CA", () => {
    expect(requestHeaderConfig({ "client-ca-file": "x" })).toBeUndefined();
    expect(requestHeaderConfig(undefined)).toBeUndefined();
  });
});

describe("userFromHeaders", () => {
  const cfg = config ?? expect.unreachable();
  it("takes user, every group and the percent-decoded extra keys", () => {
    const user = userFromHeaders(
      {
        "x-remote-user": "system:serviceaccount:team:viewer",
        "x-remote-group": ["system:serviceaccounts", "system:authenticated"],
        "x-remote-extra-authentication.kubernetes.io%2fpod-name": "web-1",
        "x-remote-extra-scopes": "a, b",
        "x-remote-uid": "7d5f",
      },
      cfg,
    );
    expect(user).toEqual({
      username: "system:serviceaccount:team:viewer",
      uid: "7d5f",
      groups: ["system:serviceaccounts", "system:authenticated"],
      extra: { "authentication.kubernetes.io/pod-name": ["web-1"], scopes: ["a", "b"] },
    });
  });

  it("has no user without the username header", () => {
    expect(userFromHeaders({ "x-remote-group": "system:masters" }, cfg)).toBeUndefined();
  });
});

describe("certificateRefusal", () => {
  const cfg = config ?? expect.unreachable();
  const now = new Date();
  const material = applyPlan(
    planCertificates(undefined, [], now),
    undefined,
    { commonName: "front-proxy-client", dnsNames: [], ipAddresses: [] },
    now,
  );
  const cert = new X509Certificate(material.serving.cert);

  it.each([
    ["no certificate", { authorized: false, cert: undefined }, "no client certificate"],
    [
      "a certificate TLS did not verify against the requestheader CA",
      { authorized: false, cert },
      "client certificate not signed by the requestheader CA",
    ],
    ["a verified certificate of an allowed name", { authorized: true, cert }, undefined],
  ])("%s", (_what, peer, refusal) => {
    expect(certificateRefusal(peer, cfg)).toBe(refusal);
  });

  it("refuses a verified certificate whose CN is not allowed; any CN when none are listed", () => {
    const strict = { ...cfg, allowedNames: ["aggregator"] };
    expect(certificateRefusal({ authorized: true, cert }, strict)).toBe(
      'client certificate CN "front-proxy-client" is not an allowed requestheader name',
    );
    expect(
      certificateRefusal({ authorized: true, cert }, { ...cfg, allowedNames: [] }),
    ).toBeUndefined();
  });
});
