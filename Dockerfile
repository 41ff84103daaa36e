# Lantern in a container: `docker compose up -d` runs it with PostgreSQL and Redis
# (compose.yaml; docs/deploy.md). One image serves one worker per core behind a TLS proxy.

# --- build the wheel (migrations, templates, static files and catalogs inside it) ---------
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md babel.cfg ./
COPY app ./app
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# --- the running image --------------------------------------------------------------------
FROM python:3.11-slim-bookworm
# Pango and fonts for the PDF export (WeasyPrint); nothing else from the system.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir "$(ls /wheels/lantern-*.whl)[export]" && rm -rf /wheels
# Its own unprivileged user; its data directory is private to it (Lantern's umask is 077).
RUN useradd --system --uid 10001 --home-dir /var/lib/lantern --create-home lantern \
    && chmod 700 /var/lib/lantern
USER lantern
WORKDIR /var/lib/lantern
ENV LANTERN_DATA_DIR=/var/lib/lantern \
    LANTERN_LOG_FORMAT=json \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LANTERN_WORKERS=1
VOLUME ["/var/lib/lantern"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
# FORWARDED_ALLOW_IPS must name the proxy in front (compose.yaml sets it).
CMD ["sh", "-c", "exec python -m app serve --host 0.0.0.0 --port 8000 --workers \"$LANTERN_WORKERS\""]
