# Production image: gunicorn serving Django, the same image runs the Celery worker and beat.

# Browser packages (Plotly's basic bundle), exactly as package-lock.json pins them.
FROM node:20-bookworm-slim AS browser-packages
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never PATH="/opt/venv/bin:$PATH"

# WeasyPrint (the PDF reports) loads Pango, PangoFT2, HarfBuzz (and its subset library),
# fontconfig and GObject with dlopen; the PDF style sheet asks for DejaVu Sans. Which file
# each library is and which Debian package holds it is checked by tests/test_docker_image.py
# against this list (docs/operations.md, "The production image").
# The PDFs' charts are the pages' Plotly figures drawn as SVG by kaleido, which drives the
# system's headless Chromium (reporting/exports/chart_images.py; checked by the same test).
# /var/lib/celery holds beat's schedule file (a volume in docker-compose.yml).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      gettext \
      libglib2.0-0 \
      libpango-1.0-0 \
      libpangoft2-1.0-0 \
      libharfbuzz0b \
      libharfbuzz-subset0 \
      libfontconfig1 \
      fonts-dejavu-core \
      chromium \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir uv==0.13.0 \
 && useradd --create-home --uid 1000 portal \
 && install -d -o portal -g portal /var/lib/celery

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
COPY --from=browser-packages /build/node_modules ./node_modules
RUN DEBUG=1 python manage.py compilemessages --ignore=/opt/venv -v 0 \
 && DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput -v 0

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
