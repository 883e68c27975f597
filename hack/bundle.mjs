// Bundles the operator (src/main.ts) into one file, dist/main.js, after tsc
// has built dist/ (ADR 0020). Loading client-node's ~600 modules one by one
// costs about 60 MiB of resident memory in the running operator (module
// records, source text, compiled functions); one minified file costs far
// less. Names are kept so stack traces stay readable; dist/main.js.map is
// there for `node --enable-source-maps`. The CLI stays as tsc emits it.
import { build } from "esbuild";

await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/main.js",
  allowOverwrite: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  minify: true,
  keepNames: true,
  legalComments: "none",
  sourcemap: true,
  logLevel: "warning",
  // some bundled CommonJS dependencies call require() for Node built-ins
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
