# Madang's image, in two stages. The build stage installs the dependencies into a virtual
# environment and compiles the message catalogs; the runtime stage gets only those, the
# code, and Java for KoNLPy (Okt). The same image runs Daphne (web, HTTP and WebSockets)
# and the background worker (`python manage.py task_worker`).

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
RUN pip install --upgrade pip && pip install .
COPY manage.py ./
COPY platform ./platform
COPY deliberation ./deliberation
COPY frontend ./frontend
COPY locale ./locale
RUN PYTHONPATH=/app/platform:/app DJANGO_SETTINGS_MODULE=madang.settings MADANG_DATA_DIR=/tmp/data \
    python manage.py compilemessages -v 0

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app/platform:/app \
    DJANGO_SETTINGS_MODULE=madang.settings \
    MADANG_DATA_DIR=/app/data
RUN apt-get update \
 && apt-get install -y --no-install-recommends default-jre-headless curl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /app/data \
 && useradd --system --uid 10001 madang \
 && chown -R madang /app/data
USER madang

EXPOSE 8000
# madang.serve is daphne's own command line with Madang's limits (a 10 s deadline for
# request headers, MADANG_HEADER_TIMEOUT; WebSocket messages over 256 KB refused).
CMD ["python", "-m", "madang.serve", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", \
     "--websocket_timeout", "86400", "--ping-interval", "20", "--ping-timeout", "30", \
     "madang.asgi:application"]
