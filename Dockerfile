# AAR: one image for web (gunicorn), worker and beat (Celery) and the migrate job.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders PDFs with Pango; curl-free health checks use Python itself.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system aar && useradd --system --gid aar --home-dir /app --shell /usr/sbin/nologin aar
WORKDIR /app

COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes -r requirements/base.txt

COPY --chown=aar:aar . .
# Static files are collected at build time; the secret only exists for this step.
RUN SECRET_KEY=collectstatic-only DEBUG=0 python manage.py collectstatic --no-input -v0 \
    && mkdir -p /app/var/exports && chown -R aar:aar /app/var /app/staticfiles

USER aar
EXPOSE 8000
ENV GUNICORN_BIND=0.0.0.0:8000
CMD ["gunicorn", "aar_project.asgi:application", "--config", "aar_project/gunicorn.conf.py"]
