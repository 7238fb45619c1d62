# FoUI-boten: slim, non-root (uid 10001), installed from the lock; `foui-bot run` migrates on start.
# Build: docker build -t foui-bot .   Run: see README (Deployment) and docs/drift.md.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
# The dependencies in a layer of their own, before the code: a code change does not reinstall them.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
 && /opt/venv/bin/pip install --no-cache-dir -c constraints.txt -r requirements.txt
COPY README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY feeds ./feeds
RUN /opt/venv/bin/pip install --no-cache-dir --no-deps .

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    FOUI_DATABASE_URL=sqlite+aiosqlite:////data/foui.db \
    FOUI_HTTP_LISTEN=0.0.0.0 \
    FOUI_HTTP_PORT=8080
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home foui \
 && mkdir -p /data \
 && chown 10001:10001 /data
COPY --from=build /opt/venv /opt/venv
USER 10001:10001
WORKDIR /data
# SQLite (the default) lives here: keep it on a volume (docker run -v foui-data:/data ...).
VOLUME ["/data"]
# /healthz and /metrics (and the webhook, when FOUI_WEBHOOK_URL is set).
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('FOUI_HTTP_PORT', '8080') + '/healthz', timeout=4)"]
CMD ["foui-bot", "run"]
