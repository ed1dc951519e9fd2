"""A local Hugging Face tokenizer folder (--tokenizer PATH): tokenizer.json, its chat template, its special tokens.

The template is `chat_template.jinja` when present, else `chat_template` in tokenizer_config.json (a string, or
a list of named templates of which "default" is used), as transformers reads them. Only with --allow-download
does huggingface_hub fetch the few tokenizer files of a model id into its cache.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dataprep.errors import UsageError
from dataprep.tokens.encoders import HFJsonEncoder

SPECIAL_KEYS = ("bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token")
TOKENIZER_FILES = [
    "tokenizer.json",
    "tokenizer_config.json",
    "chat_template.jinja",
    "special_tokens_map.json",
]


@dataclass(frozen=True)
class TokenizerFolder:
    encoder: HFJsonEncoder
    template: str | None
    variables: dict[str, str]  # the special tokens a template may name (bos_token, eos_token, ...)


def load_folder(path: Path) -> TokenizerFolder:
    if not path.is_dir():
        raise UsageError(
            f"{path}: --tokenizer takes a folder holding tokenizer.json (a Hugging Face model folder)"
        )
    tokenizer_json = path / "tokenizer.json"
    if not tokenizer_json.is_file():
        raise UsageError(f"{path}: no tokenizer.json in this folder")
    config = _read_json(path / "tokenizer_config.json")
    variables = {key: text for key in SPECIAL_KEYS if (text := _token_text(config.get(key))) is not None}
    jinja_file = path / "chat_template.jinja"
    template: str | None
    if jinja_file.is_file():
        template = jinja_file.read_text(encoding="utf-8")
    else:
        template = _config_template(config.get("chat_template"))
    return TokenizerFolder(HFJsonEncoder(tokenizer_json, name=path.name), template, variables)


def download_folder(model_id: str) -> Path:
    """Fetch the tokenizer files of `model_id` into huggingface_hub's cache (only with --allow-download)."""
    try:
        from huggingface_hub import snapshot_download
    except ImportError as exc:  # pragma: no cover - tokenizers depends on huggingface_hub
        raise UsageError("--allow-download needs huggingface_hub (pip install huggingface_hub)") from exc
    try:
        return Path(snapshot_download(model_id, allow_patterns=TOKENIZER_FILES))
    except Exception as exc:  # the hub raises many kinds (network, gated repo, unknown id)
        raise UsageError(f"cannot download the tokenizer of {model_id}: {exc}") from exc


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: not readable JSON ({exc})") from exc
    return data if isinstance(data, dict) else {}


def _token_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("content"), str):
        return str(value["content"])
    return None


def _config_template(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        named = {t.get("name"): t.get("template") for t in value if isinstance(t, dict)}
        chosen = named.get("default")
        return chosen if isinstance(chosen, str) else None
    return None
