# Cảnh Giác: the bot, its webhooks and the web chat, served by `canhgiac serve`.
# The data files (scam_catalog.yaml, intents/, provinces.yaml) and migrations/ are read from the
# source tree, so the package is installed in editable mode from /app.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Tesseract with its Vietnamese models reads the screenshots citizens send (see README, "Screenshots").
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        tesseract-ocr tesseract-ocr-vie tesseract-ocr-script-viet \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin canhgiac \
    && mkdir -p /data && chown canhgiac:canhgiac /data

# Dependencies first, so that editing the catalogue does not reinstall them.
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install -e .

COPY migrations ./migrations
COPY intents ./intents
COPY scam_catalog.yaml provinces.yaml ./

USER canhgiac
# SQLite in a volume by default; compose.yaml sets PostgreSQL instead.
ENV CANHGIAC_DATABASE_URL=sqlite:////data/canhgiac.db
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

# Applies the migrations, then serves. Secrets come from the environment (CANHGIAC_*), never the image.
CMD ["canhgiac", "serve", "--host", "0.0.0.0", "--port", "8000"]
