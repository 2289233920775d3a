"""What the embeddings layer raises; matcher.errors wraps it into peermatch's own hierarchy."""

from __future__ import annotations


class ModelNotFoundError(Exception):
    """The configured embedding model is not on disk (peermatch never downloads one)."""


class ModelFileError(ModelNotFoundError):
    """A built-in model's weights file is there but unreadable (bad magic, truncated, a tensor missing):
    the model cannot be loaded, as if it were not installed."""
