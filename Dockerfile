# Veille web, worker and scheduler image (the command differs per service).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VEILLE_VAR_DIR=/var/lib/veille
WORKDIR /app

RUN apt-get update \
 && apt-get install -y --no-install-recommends libjpeg62-turbo zlib1g postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /app --shell /usr/sbin/nologin veille \
 && mkdir -p /var/lib/veille/spool /var/lib/veille/beat /var/lib/veille/backups && chown -R veille /var/lib/veille

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# collectstatic needs settings to load; throw-away values, used for this step only.
RUN SECRET_KEY=build-only-secret-key-0123456789abcdef VEILLE_DATA_KEYS=b:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA \
    VEILLE_PSEUDONYM_KEYS=b:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA TWILIO_AUTH_TOKEN=build \
    PUBLIC_BASE_URL=http://build SMS_BACKEND=messaging.backends.console.ConsoleBackend VEILLE_SKIP_ENV_FILE=1 \
    python manage.py collectstatic --noinput

USER veille
EXPOSE 8000
CMD ["gunicorn", "veille.wsgi", "-c", "veille/gunicorn.conf.py"]
