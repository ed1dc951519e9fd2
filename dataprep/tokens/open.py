"""Build the tokenizer of an open-weight model from its TokenizerSpec: the one place the origins are resolved.

Order: --tokenizer PATH (a local folder) -> the model's table tokenizer (shipped, or an installed extra) ->
with --allow-download only, the Hub. A missing tokenizer is a usage error that says how to get it.
"""

from __future__ import annotations

from pathlib import Path

from dataprep.errors import UsageError
from dataprep.tokens.encoders import TextEncoder, harmony_encoding, llama3_encoding
from dataprep.tokens.folder import download_folder, load_folder
from dataprep.tokens.protocol import Tokenizer, TokenizerSpec
from dataprep.tokens.sources import TokenizerSource
from dataprep.tokens.template import TEMPLATES_DIR, ChatTemplateTokenizer, parse_date

# Special tokens the built-in templates name; a folder's tokenizer_config.json supplies its own.
_BUILTIN_VARIABLES = {"llama3": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}}


def source_of(spec: TokenizerSpec) -> TokenizerSource:
    return TokenizerSource(
        key=spec.option("tokenizer"),
        backend=spec.option("tokenizer_backend"),
        origin=spec.option("tokenizer_from", "user"),
        package=spec.option("package"),
        module=spec.option("module"),
        resource=spec.option("resource"),
        extra=spec.option("extra"),
    )


def build_open_tokenizer(spec: TokenizerSpec) -> Tokenizer:
    date = parse_date(spec.option("date")) if spec.option("date") else None
    user_template = spec.option("chat_template") or None
    end_of_turn = spec.option("end_of_turn")
    folder_path = spec.option("path")
    if not folder_path and spec.option("tokenizer_from") == "user" and spec.option("allow_download"):
        folder_path = str(download_folder(spec.name))
    if folder_path:
        folder = load_folder(Path(folder_path))
        template = user_template or folder.template
        if template is None:
            raise UsageError(
                f"{folder_path}: no chat template (no chat_template.jinja, no chat_template in "
                "tokenizer_config.json); give one with --chat-template FILE"
            )
        return ChatTemplateTokenizer(
            spec.name,
            folder.encoder,
            template,
            variables=folder.variables,
            end_of_turn=end_of_turn,
            date=date,
        )
    source = source_of(spec)
    if not source.available():
        raise UsageError(f"the tokenizer of {spec.name} is not on this machine: {source.how_to_get()}")
    if spec.option("template_from") == "mistral-common" and user_template is None:
        from dataprep.tokens.mistral import MistralCommonTokenizer

        file = source.package_file()
        assert file is not None  # available() checked it
        return MistralCommonTokenizer(spec.name, file)
    encoder = _table_encoder(source, spec.name)
    template = user_template or _builtin_template(spec)
    return ChatTemplateTokenizer(
        spec.name,
        encoder,
        template,
        variables=_BUILTIN_VARIABLES.get(source.key, {}),
        end_of_turn=end_of_turn,
        date=date,
    )


def _table_encoder(source: TokenizerSource, model: str) -> TextEncoder:
    if source.key == "o200k_harmony":
        return harmony_encoding()
    if source.key == "llama3":
        file = source.package_file()
        assert file is not None
        return llama3_encoding(file)
    raise UsageError(
        f"{model}: the {source.key} tokenizer renders through mistral-common only; "
        "for a Jinja template give the model folder with --tokenizer PATH"
    )


def _builtin_template(spec: TokenizerSpec) -> str:
    path = TEMPLATES_DIR / f"{spec.option('template')}.jinja"
    if not path.is_file():
        raise UsageError(f"{spec.name}: no built-in chat template; give one with --chat-template FILE")
    return path.read_text(encoding="utf-8")
