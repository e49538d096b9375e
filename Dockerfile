FROM python:3.12-slim-bookworm
# WeasyPrint needs Pango; libharfbuzz-subset0 makes its font subsetting fast.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN useradd --create-home pekppp && mkdir -p var && chown -R pekppp var
USER pekppp
EXPOSE 8000
