"""The generator's tokenizer and chat template, read with ``tokenizers`` and ``jinja2`` instead of ``transformers``.

A chat process on llama.cpp needs only this from the model's folder. Loading it through ``transformers``'
``AutoTokenizer`` imported that library, about 1.5 s of every cold start. The ids and text match ``AutoTokenizer``
for the same folder (tests/integration/test_generator_tokenizer.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "tokenizer_config.json"
TEMPLATE_FILE = "chat_template.jinja"


class ChatTokenizer:
    """Byte-level BPE ids, decoding and the folder's chat template: the part of a HF tokenizer decoding uses.

    Args:
        directory: a checkpoint folder with ``tokenizer.json``, ``tokenizer_config.json`` and the chat template
            (``chat_template.jinja``, or the config's ``chat_template``).
    """

    def __init__(self, directory: Path) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        config: dict[str, Any] = json.loads((directory / CONFIG_FILE).read_text())
        template = directory / TEMPLATE_FILE
        self.chat_template: str = template.read_text() if template.exists() else config["chat_template"]
        self.added_tokens_encoder: dict[str, int] = {
            added.content: index for index, added in self.tokenizer.get_added_tokens_decoder().items()
        }
        self.eos_token_id = self.convert_tokens_to_ids(config["eos_token"])
        self.pad_token_id = self.convert_tokens_to_ids(config.get("pad_token") or config["eos_token"])

    def __len__(self) -> int:
        """Vocabulary size, added tokens included (as ``len()`` of a HF tokenizer)."""
        return self.tokenizer.get_vocab_size(with_added_tokens=True)

    def convert_tokens_to_ids(self, token: str) -> int:
        index = self.tokenizer.token_to_id(token)
        if index is None:
            raise ValueError(f"{token!r} is not in the vocabulary")
        return index

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return self.tokenizer.encode(text, add_special_tokens=add_special_tokens).ids

    def __call__(self, text: str, add_special_tokens: bool = False) -> dict[str, list[int]]:
        return {"input_ids": self.encode(text, add_special_tokens)}

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = False) -> str:
        return self.tokenizer.decode(list(ids), skip_special_tokens=skip_special_tokens)

    @cached_property
    def _template(self) -> Any:
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)  # as transformers renders
        return environment.from_string(self.chat_template)

    def apply_chat_template(
        self, conversation: Sequence[dict[str, str]], add_generation_prompt: bool = True, tokenize: bool = False
    ) -> str | list[int]:
        """The conversation as the model's prompt text (or its ids with ``tokenize``)."""
        text: str = self._template.render(messages=list(conversation), add_generation_prompt=add_generation_prompt)
        return self.encode(text) if tokenize else text
