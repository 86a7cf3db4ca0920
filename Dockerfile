# syntax=docker/dockerfile:1
# The O2O app: `o2o serve --workers N`, `o2o worker`, `o2o migrate`, `o2o doctor`, `o2o backup` ...
# Build: docker build -t o2o .      Run it with deploy/compose.yaml (docs/deployment.md).
FROM python:3.11-slim AS deps
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# the production lock (deploy/requirements.lock: requirements.lock without the dev tools), every file
# checked against its hash; no build step for the app itself (it runs from /app/src)
COPY deploy/requirements.lock /tmp/requirements.lock
RUN python -m venv /venv && /venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.lock

FROM python:3.11-slim
# pg_dump/pg_restore 15 for `o2o backup` against the PostgreSQL 15 service
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin o2o
COPY --from=deps /venv /venv
WORKDIR /app
COPY alembic.ini pyproject.toml ./
COPY migrations ./migrations
COPY src ./src
RUN mkdir -p /app/var/media /app/var/backups && chown -R o2o:o2o /app/var
ENV PATH=/venv/bin:$PATH PYTHONPATH=/app/src PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    O2O_ENV=production O2O_HOST=0.0.0.0 O2O_PORT=8000 O2O_MEDIA_DIR=/app/var/media
USER o2o
EXPOSE 8000
# readiness: the database answers and is migrated, and the process is not shutting down
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["python", "-m", "o2o.cli"]
CMD ["serve", "--workers", "2"]
