# Parley in a container: `docker compose up` runs it beside PostgreSQL 16 (compose.yaml).

# Build stage: PyICU (party names compared as people read them, bot/workflows/names.py)
# compiles against ICU, so the compiler and ICU's headers live here and nowhere else.
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential pkg-config libicu-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY bot ./bot
# The locked set, as wheels for the runtime stage.
RUN pip wheel -c constraints.txt --wheel-dir /wheels .

# Runtime stage: ICU's shared library only, no compiler. Both stages are the same Debian
# release (bookworm), so the ICU PyICU was built against is the one it finds.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY constraints.txt ./
COPY --from=build /wheels /wheels
RUN apt-get update \
    && apt-get install -y --no-install-recommends libicu72 \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-index --find-links /wheels -c constraints.txt parley \
    && rm -rf /wheels \
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
