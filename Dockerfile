# syntax=docker/dockerfile:1
# The PainChain collector image. The `build` stage compiles the workspaces the collector needs;
# the runtime stage installs production dependencies only and runs as the unprivileged `node`
# user. test/stack/dockerfile.test.ts runs these same steps as plain commands on every test run.

# Node.js 22 LTS (supported until April 2027), at the version .ci/run also runs the test suite
# on. Not 24 yet: Node 24.21's JSON.parse can change object keys (nodejs/node#63785), and the
# collector parses every change with it (docs/decisions/015). Running from source still takes
# Node 20.19 (package.json engines).
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first, so that the dependency layer is rebuilt only when they change. Every
# workspace's package.json is here because npm ci checks them all against the lockfile.
COPY package.json package-lock.json ./
COPY connectors/sdk/package.json connectors/sdk/
COPY connectors/github/package.json connectors/github/
COPY connectors/gitlab/package.json connectors/gitlab/
COPY connectors/kubernetes/package.json connectors/kubernetes/
COPY collector/package.json collector/
COPY grafana-plugin/package.json grafana-plugin/
# The collector's workspaces with their dev dependencies, and the root's (TypeScript); not the
# Grafana plugin's front-end tool chain. npm's cache is a BuildKit cache mount: reused between
# builds, never part of a layer.
RUN --mount=type=cache,target=/root/.npm npm ci --workspace=@painchain/sdk --workspace=@painchain/connector-github --workspace=@painchain/connector-gitlab --workspace=@painchain/connector-kubernetes --workspace=@painchain/collector --include-workspace-root --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY connectors/sdk connectors/sdk
COPY connectors/github connectors/github
COPY connectors/gitlab connectors/gitlab
COPY connectors/kubernetes connectors/kubernetes
COPY collector collector
RUN npx tsc -b collector
# The folder the collector writes to (the durable spool; the embedded store when there is no
# PostgreSQL), handed to the unprivileged user below.
RUN mkdir -p state/data

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY connectors/sdk/package.json connectors/sdk/
COPY connectors/github/package.json connectors/github/
COPY connectors/gitlab/package.json connectors/gitlab/
COPY connectors/kubernetes/package.json connectors/kubernetes/
COPY collector/package.json collector/
COPY grafana-plugin/package.json grafana-plugin/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspace=@painchain/collector --no-audit --no-fund
COPY --from=build /app/connectors/sdk/dist connectors/sdk/dist
COPY --from=build /app/connectors/github/dist connectors/github/dist
COPY --from=build /app/connectors/gitlab/dist connectors/gitlab/dist
COPY --from=build /app/connectors/kubernetes/dist connectors/kubernetes/dist
COPY --from=build /app/collector/dist/src collector/dist/src
# The SQL migrations are read from the sources folder at start-up (collector/src/store/migrate.ts).
COPY collector/src/store/migrations collector/src/store/migrations
# Everything else stays owned by root (the collector only reads it); the state folder is the
# node user's, and docker-compose.yml mounts a volume on it so that the spool outlives the container.
COPY --from=build --chown=node:node /app/state /var/lib/painchain
ENV PAINCHAIN_DATA_DIR=/var/lib/painchain/data
USER node
EXPOSE 8000
# /readyz answers 200 once the store is reachable and migrations are applied. Node's own fetch:
# the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PAINCHAIN_PORT || 8000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "collector/dist/src/main.js"]
