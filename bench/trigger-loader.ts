// Lets Node run the benchmark's TypeScript directly (with
// --experimental-transform-types): the project's sources import each other
// as "./x.js" (module nodenext), which Node does not map to "./x.ts" itself.
import { registerHooks } from "node:module";

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const relative = specifier.startsWith("./") || specifier.startsWith("../");
      if (!relative || !specifier.endsWith(".js")) throw error;
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});
