"""Text to vectors: the embedding model (sentence-transformers, offline) and its cache."""

import os

# peermatch never downloads a model: tell the Hugging Face libraries before they are imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
