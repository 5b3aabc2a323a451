FROM python:3.12-slim
ARG PIP_EXTRA_INDEX_URL=https://deploy:UzWcPDxNG0RaLggaacrhq32o@nexus.acme.io/repository/pypi/simple
ENV DJANGO_SECRET_KEY=o16wEn4XR2a.yVcLCr~R9*Q_CrfLmncsIGv44Lgs#grN8GoVxR
ENV SENTRY_ENVIRONMENT=production
ARG NPM_TOKEN
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
