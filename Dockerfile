# Parley in a container: `docker compose up` runs it beside PostgreSQL 16 (compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The locked set first (constraints.txt), so a change to Parley's code reuses this layer.
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY bot ./bot
RUN pip install -c constraints.txt . \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home parley \
    && mkdir /data \
    && chown parley:parley /data

# Without DATABASE_URL (compose sets PostgreSQL's), SQLite in the /data volume.
ENV DATABASE_URL=sqlite:////data/parley.db \
    PORT=3000 \
    PARLEY_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 3000

USER parley

# Ready when the database answers (/healthz); /livez only says the process does.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3000') + '/healthz', timeout=4)"]

# Migrations first (idempotent; instances take turns on PostgreSQL), then serve as PID 1 so
# SIGTERM reaches Parley, which finishes what is in flight and flushes the outbox.
CMD ["sh", "-c", "parley db upgrade && exec parley serve"]
