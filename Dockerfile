# cody-relay container image, built from the artifacts of `deno task build`.
#   docker build -t cody-relay .
#   docker run -p 8787:8787 -e SRC_ENDPOINT=https://sourcegraph.example.com \
#     -e SRC_ACCESS_TOKEN=sgp_... -e RELAY_API_KEYS=team-key cody-relay
# Everything is configured by environment variables (`--help` lists them) or a mounted config file
# (-v ./cody-relay.json:/config/cody-relay.json:ro -e CODY_RELAY_CONFIG=/config/cody-relay.json).
# It listens on 0.0.0.0, so it needs gateway keys (RELAY_API_KEYS, with SRC_ACCESS_TOKEN upstream), or
# RELAY_ALLOW_OPEN=true when published on loopback only (-p 127.0.0.1:8787:8787).

# Stage 1: the relay as one bundled ES module.
FROM denoland/deno:alpine-2.9.6 AS build
WORKDIR /src
COPY deno.json deno.lock package.json ./
COPY mod.ts cli.ts ./
COPY lib ./lib
COPY docs/clients.md ./docs/clients.md
COPY tools ./tools
RUN deno task build --targets none --out /dist

# Stage 2: the Deno runtime without a shell or package manager, that one file, and a non-root user.
FROM denoland/deno:distroless-2.9.6
WORKDIR /app
COPY --from=build /dist/cody-relay.js ./cody-relay.js
ENV HOST=0.0.0.0 PORT=8787 DENO_DIR=/tmp/deno NO_COLOR=1
USER 65532:65532
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s \
  CMD ["deno", "eval", "const r = await fetch(`http://127.0.0.1:${Deno.env.get('PORT')}/health`); Deno.exit(r.ok ? 0 : 1)"]
ENTRYPOINT ["deno", "run", "--allow-net", "--allow-env", "--allow-read", "--allow-sys", "/app/cody-relay.js"]
