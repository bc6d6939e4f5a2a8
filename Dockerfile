# Madang's web image: Daphne serving HTTP and WebSockets. Java is there for KoNLPy (Okt).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONPATH=/app/platform:/app \
    DJANGO_SETTINGS_MODULE=madang.settings \
    MADANG_DATA_DIR=/app/data

RUN apt-get update \
 && apt-get install -y --no-install-recommends default-jre-headless gettext curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install .

COPY manage.py ./
COPY platform ./platform
COPY deliberation ./deliberation
COPY frontend ./frontend
COPY locale ./locale
RUN python manage.py compilemessages -v 0 \
 && mkdir -p /app/data \
 && useradd --system --uid 10001 madang \
 && chown -R madang /app/data
USER madang

EXPOSE 8000
# madang.serve is daphne's own command line with Madang's limits (a 10 s deadline for
# request headers, MADANG_HEADER_TIMEOUT; WebSocket messages over 256 KB refused).
CMD ["python", "-m", "madang.serve", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", \
     "--websocket_timeout", "86400", "--ping-interval", "20", "--ping-timeout", "30", \
     "madang.asgi:application"]
