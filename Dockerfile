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
# dist/main.js is the operator bundled into one file (ADR 0020): no node_modules
COPY --from=build /src/dist/main.js /src/dist/main.js.map ./dist/
USER 65532:65532
ENTRYPOINT ["node", "dist/main.js"]
