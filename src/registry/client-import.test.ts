import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpRegistryClient } from "./client.js";
import { type Harness, importErrorOf, request, startHarness } from "./testing/harness.js";

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe("importImage of a single image", () => {
  it("re-checks 2,100 tags after a restart with one HEAD each, from the recorded digests alone", async () => {
    const count = 2100; // above the content caches: a re-check must not depend on them
    for (let i = 0; i < count; i++) h.fake.addImage(`team/app${i}`, "v1");
    const recorded: string[] = [];
    for (let i = 0; i < count; i++) {
      const result = await h.client.importImage(request(`${h.fake.host}/team/app${i}:v1`));
      recorded.push(result.image.digest);
    }
    const restarted = new HttpRegistryClient({ requestTimeoutMs: 2000 }); // empty caches
    const before = h.fake.requests.length;
    try {
      for (let i = 0; i < count; i++) {
        const req = { ...request(`${h.fake.host}/team/app${i}:v1`), recorded: [recorded[i] ?? ""] };
        expect(await restarted.recheck(req)).toEqual({ unchanged: recorded[i] });
      }
    } finally {
      restarted.close();
    }
    const again = h.fake.requests.slice(before).filter((r) => r.path !== "/v2/");
    expect(again.filter((r) => r.method !== "HEAD")).toEqual([]);
    expect(again).toHaveLength(count);
  }, 30_000);

  it("a first import is one manifest GET by tag and one config GET: no HEAD", async () => {
    h.fake.addImage("first", "v1");
    await h.client.importImage(request(`${h.fake.host}/first:v1`));
    const calls = h.fake.requests
      .filter((r) => r.path !== "/v2/")
      .map((r) => `${r.method} ${r.path.replace(/sha256:\w+/, "<digest>")}`);
    expect(calls).toEqual(["GET /v2/first/manifests/v1", "GET /v2/first/blobs/<digest>"]);
  });

  it("a re-check of a moved tag is a HEAD, then the new manifest by digest and its config", async () => {
    const old = h.fake.addImage("moved", "v1");
    await h.client.importImage(request(`${h.fake.host}/moved:v1`));
    const moved = h.fake.addImage("moved", "v1", { os: "linux", architecture: "arm64" });
    const before = h.fake.requests.length;
    const result = await h.client.recheck({
      ...request(`${h.fake.host}/moved:v1`),
      recorded: [old.digest],
    });
    expect("unchanged" in result ? undefined : result.image.digest).toBe(moved.digest);
    const calls = h.fake.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(calls.slice(0, 2)).toEqual([
      "HEAD /v2/moved/manifests/v1",
      `GET /v2/moved/manifests/${moved.digest}`,
    ]);
    expect(calls.slice(2).every((c) => c.startsWith("GET /v2/moved/blobs/"))).toBe(true);
  });

  it("asks for every manifest by the four media types it understands, by name", async () => {
    h.fake.addImage("team/app", "v1");
    const accepts: string[] = [];
    h.fake.use((req, _res, url) => {
      if (url.pathname.includes("/manifests/")) accepts.push(`${req.method} ${req.headers.accept}`);
      return false;
    });
    await h.client.importImage(request(`${h.fake.host}/team/app:v1`));
    const listed = [
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.v2+json",
    ].join(", ");
    expect(accepts.length).toBeGreaterThan(0);
    expect(new Set(accepts.map((a) => a.replace(/^\S+ /, "")))).toEqual(new Set([listed]));
  });

  it("records digest, layers and config metadata, keeping the user's spelling", async () => {
    const pushed = h.fake.addImage("team/app", "v1");
    const result = await h.client.importImage(request(`${h.fake.host}/team/app:v1`));
    expect(result.children).toEqual([]);
    expect(result.image).toMatchObject({
      digest: pushed.digest,
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      dockerImageReference: `${h.fake.host}/team/app@${pushed.digest}`,
      layers: [
        {
          name: pushed.layerDigest,
          size: 1234,
          mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
        },
      ],
      config: {
        architecture: "amd64",
        os: "linux",
        created: "2024-01-02T03:04:05Z",
        author: "fake",
        entrypoint: ["/bin/app"],
        cmd: ["--serve"],
        user: "1001",
        workingDir: "/srv",
        exposedPorts: ["8080/tcp"],
        env: ["A=1"],
        labels: { "io.k8s.display-name": "app" },
      },
    });
    expect(result.image.manifestSize).toBeGreaterThan(0);
    expect(result.image.size).toBeGreaterThan(1234);
  });

  it("a re-check of a moved tag whose manifest is cached fetches nothing more (content-addressed cache)", async () => {
    const a = h.fake.addImage("app", "v1");
    const b = h.fake.addImage("other", "v1");
    await h.client.importImage(request(`${h.fake.host}/app:v1`));
    const before = h.fake.requests.length;
    // another stream's tag now names the same content; its manifest is cached under app
    const result = await h.client.recheck({
      ...request(`${h.fake.host}/app:v1`),
      recorded: [b.digest],
    });
    expect("unchanged" in result ? undefined : result.image.digest).toBe(a.digest);
    expect(h.fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      "HEAD /v2/app/manifests/v1",
    ]);
  });

  it("tells onRequest of every exchange the fake registry saw, by method and status", async () => {
    const seen: string[] = [];
    const observed = new HttpRegistryClient({
      requestTimeoutMs: 2000,
      onRequest: (method, code, seconds) => {
        expect(seconds).toBeGreaterThanOrEqual(0);
        seen.push(`${method} ${code}`);
      },
    });
    try {
      h.fake.addImage("counted", "v1");
      await observed.importImage(request(`${h.fake.host}/counted:v1`));
      await observed.recheck({ ...request(`${h.fake.host}/counted:v1`), recorded: [] });
      const recheck = { ...request(`${h.fake.host}/counted:nope`), recorded: [] };
      await importErrorOf(observed.recheck(recheck));
    } finally {
      observed.close();
    }
    const answered = seen.filter((s) => !s.endsWith(" error"));
    expect(answered).toHaveLength(h.fake.requests.length);
    // insecure: the HTTPS attempt the plain-HTTP fake cannot answer counts too
    expect(seen).toContain("GET error");
    expect(seen).toContain("HEAD 200");
    expect(seen).toContain("HEAD 404");
  });

  it("imports by digest", async () => {
    const pushed = h.fake.addImage("app", undefined, {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
    });
    const result = await h.client.importImage(request(`${h.fake.host}/app@${pushed.digest}`));
    expect(result.image.digest).toBe(pushed.digest);
    expect(result.image.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
    expect(result.image.config?.os).toBe("linux");
  });

  it("a re-check falls back to GET when HEAD is refused or says no digest", async () => {
    const pushed = h.fake.addImage("nohead", "v1");
    h.fake.use((req, res, url) => {
      if (req.method !== "HEAD" || !url.pathname.includes("/manifests/")) return false;
      res.writeHead(url.pathname.endsWith("/v1") ? 405 : 200).end();
      return true;
    });
    const result = await h.client.recheck({
      ...request(`${h.fake.host}/nohead:v1`),
      recorded: ["sha256:0000000000000000000000000000000000000000000000000000000000000000"],
    });
    expect("unchanged" in result ? undefined : result.image.digest).toBe(pushed.digest);
    expect(
      h.fake.requests.some((r) => r.method === "GET" && r.path === "/v2/nohead/manifests/v1"),
    ).toBe(true);
  });

  it("reports NotFound for an unknown tag", async () => {
    const error = await importErrorOf(h.client.importImage(request(`${h.fake.host}/app:nope`)));
    expect(error.reason).toBe("NotFound");
    expect(error.message).toBe(
      `dockerimage.image.openshift.io "${h.fake.host}/app:nope" not found`,
    );
  });
});

describe("importImage of a manifest list", () => {
  function pushIndex(): { list: string; children: Record<string, string> } {
    const platforms = [
      ["linux", "arm64"],
      ["linux", "amd64"],
      ["linux", "s390x"],
    ] as const;
    const children: Record<string, string> = {};
    const manifests = platforms.map(([os, architecture]) => {
      const child = h.fake.addImage("multi", undefined, { os, architecture });
      children[architecture] = child.digest;
      return {
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        digest: child.digest,
        size: 300,
        platform: { os, architecture },
      };
    });
    const list = h.fake.addManifest(
      "multi",
      { schemaVersion: 2, mediaType: OCI_INDEX, manifests },
      OCI_INDEX,
      "v1",
    );
    return { list, children };
  }

  it("Legacy keeps the preferred child and records its digest", async () => {
    const { children } = pushIndex();
    const result = await h.client.importImage(
      request(`${h.fake.host}/multi:v1`, {
        preferredPlatforms: [{ os: "linux", architecture: "s390x" }],
      }),
    );
    expect(result.image.digest).toBe(children.s390x);
    expect(result.image.config?.architecture).toBe("s390x");
    expect(result.image.dockerImageReference).toBe(`${h.fake.host}/multi@${children.s390x}`);
    expect(result.children).toEqual([]);
  });

  it("Legacy falls back to linux/amd64", async () => {
    const { children } = pushIndex();
    const result = await h.client.importImage(
      request(`${h.fake.host}/multi:v1`, { preferredPlatforms: [{ architecture: "riscv64" }] }),
    );
    expect(result.image.digest).toBe(children.amd64);
  });

  it("PreserveOriginal records the list and imports every child", async () => {
    const { list, children } = pushIndex();
    const result = await h.client.importImage(
      request(`${h.fake.host}/multi:v1`, { importMode: "PreserveOriginal" }),
    );
    expect(result.image.digest).toBe(list);
    expect(result.image.mediaType).toBe(OCI_INDEX);
    expect(result.image.layers).toEqual([]);
    expect(result.image.manifests?.map((m) => `${m.os}/${m.architecture}`)).toEqual([
      "linux/arm64",
      "linux/amd64",
      "linux/s390x",
    ]);
    expect(result.children.map((c) => c.digest)).toEqual([
      children.arm64,
      children.amd64,
      children.s390x,
    ]);
    expect(result.children.map((c) => c.config?.architecture)).toEqual(["arm64", "amd64", "s390x"]);
  });
});

describe("listTags", () => {
  it("follows Link pagination and stops at the bound", async () => {
    h.fake.use((req, res, url) => {
      if (url.pathname !== "/v2/paged/tags/list") return false;
      const last = Number(url.searchParams.get("last") ?? "0");
      const tags = [last + 1, last + 2].map((n) => `t${n}`);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (last < 6) headers.link = `</v2/paged/tags/list?n=2&last=${last + 2}>; rel="next"`;
      res.writeHead(200, headers).end(JSON.stringify({ name: "paged", tags }));
      return Boolean(req);
    });
    const all = await h.client.listTags({
      reference: `${h.fake.host}/paged`,
      insecure: true,
      credentials: [],
    });
    expect(all).toEqual(["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"]);
    const boundedClient = new HttpRegistryClient({ maxTags: 3, tagPageSize: 2 });
    const bounded = await boundedClient
      .listTags({ reference: `${h.fake.host}/paged`, insecure: true, credentials: [] })
      .finally(() => boundedClient.close());
    expect(bounded).toEqual(["t1", "t2", "t3"]);
  });

  it("refuses pagination links to another host", async () => {
    h.fake.use((_req, res, url) => {
      if (url.pathname !== "/v2/away/tags/list") return false;
      res.writeHead(200, { link: '<http://localhost:1/v2/away/tags/list?last=a>; rel="next"' });
      res.end('{"name":"away","tags":["a"]}');
      return true;
    });
    const error = await importErrorOf(
      h.client.listTags({ reference: `${h.fake.host}/away`, insecure: true, credentials: [] }),
    );
    expect(error.reason).toBe("InternalError");
  });
});
