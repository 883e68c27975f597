# Container image of the operator (not built in this repository's CI: the
# development machine has no container engine).
FROM node:24-alpine AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY hack/bundle.mjs ./hack/
RUN npm run build

FROM node:24-alpine
WORKDIR /app
ENV NODE_ENV=production
# A 2 MiB young generation (V8's default grows to 16-32 MiB per semi-space)
# cut resident memory by a third in bench:import at no measured CPU cost
# (docs/benchmarks.md). test/e2e/support/operator.ts runs the e2e operators so.
ENV NODE_OPTIONS="--max-semi-space-size=2"
# dist/main.js is the operator bundled into one file (ADR 0020): no node_modules
COPY --from=build /src/dist/main.js /src/dist/main.js.map ./dist/
USER 65532:65532
ENTRYPOINT ["node", "dist/main.js"]
