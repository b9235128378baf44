# syntax=docker/dockerfile:1
# The gateway's production image: Node 20, the gateway workspace (gateway/bin, src, data) and its
# production dependencies only. The demo (gateway/demo) and the SI-DEP simulator (gateway/simulator)
# are workspace packages of their own: never copied nor installed here, like the tests. Runs as a
# non-root user on a read-only root filesystem (compose.yaml sets read_only; nothing here writes
# at run time). The `simulator` target (compose `demo` profile only) is built from the same context.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY gateway/package.json gateway/
# The gateway workspace's production dependencies only: the demo's (development OIDC provider,
# embedded PostgreSQL) and the tests' (browser driver) are not installed. By package name: a
# folder name would also select the workspaces nested in gateway/. No install script runs.
RUN npm ci --omit=dev --workspace @sidep-gateway/gateway --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS ui
WORKDIR /app
COPY package.json package-lock.json ./
COPY gateway/package.json gateway/
# the root's development dependencies (Vite, React) and the gateway's
RUN npm ci --include-workspace-root --workspace @sidep-gateway/gateway --no-audit --no-fund --ignore-scripts
# the SBOM shipped in the image: the gateway's production dependency tree, read by cyclonedx-npm
# (a root development dependency) in this tree, installed from the package-lock.json the deps stage installs from
RUN npm run sbom
COPY tsconfig.json ./
COPY admin-ui/ admin-ui/
# the UI compiles in gateway modules (statuses, rights, NIR rules): it checks with the server's rules
COPY gateway/src/ gateway/src/
RUN npx --no-install vite build admin-ui

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
COPY --chown=root:root gateway/bin/ gateway/bin/
COPY --chown=root:root gateway/src/ gateway/src/
COPY --chown=root:root gateway/data/ gateway/data/
COPY --chown=root:root migrations/ migrations/
COPY --from=ui --chown=root:root /app/admin-ui/dist admin-ui/dist
COPY --from=ui --chown=root:root /app/sbom.cdx.json sbom.cdx.json
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
COPY package.json package-lock.json ./
COPY gateway/package.json gateway/
COPY gateway/simulator/package.json gateway/simulator/
# the simulator workspace's production dependencies, the gateway's among them (TLS settings)
RUN npm ci --omit=dev --workspace @sidep-gateway/sidep-simulator --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force
COPY gateway/src/ gateway/src/
COPY gateway/simulator/src/ gateway/simulator/src/
USER 10001:10001
ENTRYPOINT ["node", "--import", "tsx", "gateway/simulator/src/main.ts"]

# Default target: the production image.
FROM runtime
