# FoUI-boten: slim, non-root, installed from the lock; migrations run on start.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY feeds ./feeds
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/venv/bin/pip install --no-cache-dir -c constraints.txt .

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    FOUI_DATABASE_URL=sqlite+aiosqlite:////data/foui.db
RUN useradd --create-home --uid 10001 foui && mkdir -p /data && chown foui /data
COPY --from=build /opt/venv /opt/venv
USER foui
WORKDIR /home/foui
VOLUME ["/data"]
# The bot writes a heartbeat file every minute; stale means unhealthy.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
  CMD python -c "import os,sys,time; p='/tmp/foui-heartbeat'; sys.exit(0 if os.path.exists(p) and time.time()-os.path.getmtime(p) < 180 else 1)"
# `run` migrates the database before it starts polling.
CMD ["foui-bot", "run"]
