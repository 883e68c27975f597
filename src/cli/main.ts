#!/usr/bin/env node
// kubectl-imagestream: a kubectl plugin (`kubectl imagestream ...`) with the
// oc tag / import-image / describe is experience for image.openshift.io/v1.
import { processIo } from "./io.js";
import { run } from "./run.js";

process.exitCode = await run(process.argv.slice(2), processIo);
