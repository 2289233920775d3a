"""What the embeddings layer raises; matcher.errors wraps it into peermatch's own hierarchy."""

from __future__ import annotations


class ModelNotFoundError(Exception):
    """The configured embedding model is not on disk (peermatch never downloads one)."""
