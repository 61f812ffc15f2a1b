# cody-relay container: Deno runtime, dependencies cached at build time, non-root.
# All configuration comes from env (see `cli.ts --help`). It listens on 0.0.0.0, so it needs gateway keys
# (the relay then uses SRC_ACCESS_TOKEN upstream), e.g.
#   docker run -p 8787:8787 -e SRC_ENDPOINT=https://sourcegraph.example.com \
#     -e SRC_ACCESS_TOKEN=sgp_... -e RELAY_API_KEYS=team-key cody-relay
# or RELAY_ALLOW_OPEN=true when published on loopback only (-p 127.0.0.1:8787:8787).
FROM denoland/deno:alpine-2.9.6
WORKDIR /app
RUN chown deno:deno /app
USER deno
COPY --chown=deno:deno deno.json deno.lock ./
COPY --chown=deno:deno mod.ts cli.ts ./
COPY --chown=deno:deno lib ./lib
RUN deno cache cli.ts
ENV HOST=0.0.0.0 PORT=8787
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=3s \
  CMD ["deno", "eval", "const r = await fetch('http://127.0.0.1:8787/health'); Deno.exit(r.ok ? 0 : 1)"]
ENTRYPOINT ["deno", "run", "--allow-net", "--allow-env", "--allow-read", "--allow-sys", "cli.ts"]
