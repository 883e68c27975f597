// Bundles a program into one file (ADR 0020). Without arguments, after tsc
// has built dist/: the operator, src/main.ts -> dist/main.js. Loading
// client-node's ~600 modules one by one costs about 60 MiB of resident memory
// in the running operator (module records, source text, compiled functions);
// one minified file costs far less. Names are kept so stack traces stay
// readable; a source map is written beside it for `node --enable-source-maps`.
// `node hack/bundle.mjs ENTRY OUTFILE` bundles another entry point the same
// way (hack/plugin.sh: the kubectl plugin for krew, with no node_modules).
import { build } from "esbuild";

const [entry = "src/main.ts", outfile = "dist/main.js"] = process.argv.slice(2);

await build({
  entryPoints: [entry],
  outfile,
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
