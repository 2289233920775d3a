"""What the built-in encoders share as sentence-transformers modules: plain text in, a config to save."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sentence_transformers.base.modules.input_module import InputModule


class TextInputModule(InputModule):
    """An input module that takes texts as they are (the prompt, if any, in front) and saves only its config."""

    save_in_root = True

    def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
        texts = [str(text) for text in inputs]
        if prompt:
            texts = self._prepend_prompt(texts, prompt)
        return {"texts": texts}

    def save(self, output_path: str, *args: Any, safe_serialization: bool = True, **kwargs: Any) -> None:
        self.save_config(output_path)
