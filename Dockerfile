# The production image: gunicorn serves the web, the same image runs worker and beat.
FROM python:3.11-slim-bookworm

# DEBUG=false: the image alone refuses to start without its production settings, and has
# none of the development tools (the `devtools` app, whose SMTP sink needs requirements-dev.txt).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HAMLA_VAR_DIR=/var/lib/hamla DEBUG=false
RUN apt-get update \
    && apt-get install -y --no-install-recommends poppler-utils gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
# .dockerignore keeps .env, var/, .git, .venv and caches out: no key or database enters the image.
COPY . .
RUN useradd --system --home /var/lib/hamla hamla && mkdir -p /var/lib/hamla && chown hamla /var/lib/hamla
# collectstatic needs settings; these placeholders exist only during the build.
RUN DEBUG=true python manage.py collectstatic --noinput && rm -f /var/lib/hamla/secret_key /var/lib/hamla/encryption_key
USER hamla
EXPOSE 8000
# No access log: it would record visitors' addresses (people scanning flyers), search
# terms that are supporters' emails or phones, and the tokens in confirmation links.
CMD ["gunicorn", "hamla.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
