// Pushes the demo's runnable image to a plain-HTTP registry for `make demo`:
// the e2e suite's test image (busybox-static, packed with umoci and pushed
// with skopeo by hack/oci-image.sh), whose container prints its marker and
// waits. The marker names the time of the push, so each run gives the tag a
// new digest. Needs the environment's variables (eval "$(hack/cluster.sh env)"):
//   hack/node --experimental-transform-types --no-warnings --import ./bench/trigger-loader.ts \
//     hack/demo-push.ts HOST:PORT repo:tag
import { pushTestImage } from "../test/e2e/support/test-image.ts";

const [registry, ref] = process.argv.slice(2);
const colon = ref?.lastIndexOf(":") ?? -1;
if (!registry || !ref || colon <= 0) {
  process.stderr.write("usage: demo-push.ts HOST:PORT repository:tag\n");
  process.exit(2);
}
const marker = `imagestream-operator demo, pushed ${new Date().toISOString()}`;
const pushed = pushTestImage(
  { registry, scheme: "http" },
  ref.slice(0, colon),
  ref.slice(colon + 1),
  marker,
);
process.stdout.write(`pushed ${registry}/${ref} ${pushed.digest} (${marker})\n`);
