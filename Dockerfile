# Kompas in a container: `docker build -t kompas .` then see compose.yaml and the README.
# The install steps live in deploy/install.sh (CI runs the same script in tests/test_install.py).
ARG PYTHON_VERSION=3.12

FROM python:${PYTHON_VERSION}-slim AS build
WORKDIR /src
COPY . .
# Builds the wheel and installs it with its runtime dependencies (never the [dev] extra).
RUN deploy/install.sh /opt/kompas /src

FROM python:${PYTHON_VERSION}-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/kompas/bin:$PATH \
    KOMPAS_LOG_FORMAT=json
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/kompas --create-home kompas
COPY --from=build /opt/kompas /opt/kompas
USER kompas
WORKDIR /var/lib/kompas
# The SQLite file (data/kompas.db) when DATABASE_URL is not set; use PostgreSQL for more
# than one instance (compose.yaml).
VOLUME ["/var/lib/kompas/data"]
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3978/healthz', timeout=4)"]
# SIGTERM stops it gracefully: requests and sends in flight finish (at most 30 s).
STOPSIGNAL SIGTERM
CMD ["kompas", "serve", "--host", "0.0.0.0", "--port", "3978"]
