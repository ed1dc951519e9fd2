"""A tiny byte-level BPE tokenizer built with `tokenizers` (no download), with the control tokens of the
template fixtures, written as a Hugging Face folder (tokenizer.json + tokenizer_config.json)."""

from __future__ import annotations

import json
from pathlib import Path

CONTROL_TOKENS = [
    "<s>",
    "</s>",
    "<|im_start|>",
    "<|im_end|>",
    "<|begin_of_text|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eot_id|>",
    "<start_of_turn>",
    "<end_of_turn>",
    "<bos>",
    "[INST]",
    "[/INST]",
]
CORPUS = [
    "The quick brown fox jumps over the lazy dog. What is 2+2? It is 4.",
    "Translate to French: good morning -> bonjour. Summarise the ticket in one line.",
    "user assistant system model You are a helpful assistant. Réponds en français. 你好，世界",
    '{"name": "get_weather", "arguments": {"city": "Paris"}} def add(a, b): return a + b',
]


def write_tiny_tokenizer(folder: Path, template: str | None, *, bos: str = "<s>", eos: str = "</s>") -> Path:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    folder.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=600,
        special_tokens=CONTROL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(CORPUS * 3, trainer=trainer)
    tok.save(str(folder / "tokenizer.json"))
    config: dict[str, object] = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": bos,
        "eos_token": {
            "__type": "AddedToken",
            "content": eos,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "single_word": False,
            "special": True,
        },
        "model_max_length": 4096,
    }
    if template is not None:
        config["chat_template"] = template
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder
