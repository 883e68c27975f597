// Pushes a small synthetic image to a plain-HTTP registry for `make demo`:
//   hack/node --experimental-transform-types --no-warnings hack/demo-push.ts HOST:PORT repo:tag
// Each run pushes new random layers, so the tag moves to a new digest.
import { pushImage } from "../test/support/registry-push.ts";

const [registry, ref] = process.argv.slice(2);
const colon = ref?.lastIndexOf(":") ?? -1;
if (!registry || !ref || colon <= 0) {
  process.stderr.write("usage: demo-push.ts HOST:PORT repository:tag\n");
  process.exit(2);
}
const pushed = await pushImage(
  { registry, scheme: "http" },
  {
    repository: ref.slice(0, colon),
    tag: ref.slice(colon + 1),
    entrypoint: ["/bin/demo"],
    labels: { "org.opencontainers.image.title": "imagestream-operator demo" },
  },
);
process.stdout.write(`pushed ${registry}/${ref} ${pushed.digest}\n`);
