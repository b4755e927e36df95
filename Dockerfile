# The bot as a container: `docker compose up -d` (see compose.yaml and docs/deploying.md).
FROM python:3.12-slim

# DATA_DIR holds the only copy of the database (tips, admin edits, conversations): a volume.
# MPLCONFIGDIR: matplotlib (the /statistik chart) wants a writable cache; HOME is not one here.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data \
    TZ=Asia/Jakarta \
    MPLCONFIGDIR=/tmp/matplotlib

# An unprivileged user of its own; /data belongs to it so a new named volume does too.
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --no-create-home --home-dir /data \
        --shell /usr/sbin/nologin bot \
    && mkdir /data \
    && chown bot:bot /data \
    && chmod 0700 /data

# Install the package like any user would (`pip install .`), then drop the sources: the
# templates and knowledge files are package data, read from site-packages.
WORKDIR /tmp/src
COPY pyproject.toml MANIFEST.in README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY knowledge ./knowledge
RUN pip install . \
    && cd / \
    && rm -rf /tmp/src

WORKDIR /data
USER bot
VOLUME ["/data"]
# Webhook mode only (compose.yaml's webhook profile); Caddy in front terminates TLS.
EXPOSE 8080

# Cheap and offline: settings valid, token set, database opens, is writable and is built.
HEALTHCHECK --interval=60s --timeout=15s --start-period=60s --retries=3 \
    CMD ["netralitas-bot", "health"]

ENTRYPOINT ["netralitas-bot"]
CMD ["run"]
