"""Parity with transformers: dataprep's jinja2 renderer and `tokenizers` encoding give the same text, the same
ids and the same assistant mask as `apply_chat_template`, for every template fixture and built-in template over
every sample file. transformers is a dev extra; dataprep never imports it at run time."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from dataprep.tokens.folder import load_folder
from dataprep.tokens.render import TemplateRaised
from dataprep.tokens.template import TEMPLATES_DIR, ChatTemplateTokenizer, Conversation, conversations
from dataprep.types import Kind
from tests.tiny_tokenizer import write_tiny_tokenizer

# Skipped without transformers, which is imported by the test only: every xdist worker imports this module.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("transformers") is None, reason="transformers is not installed (dev extras)"
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "templates"
TEMPLATES = {p.name: p / "template.jinja" for p in sorted(FIXTURES.iterdir())} | {
    f"builtin-{p.stem}": p for p in sorted(TEMPLATES_DIR.glob("*.jinja"))
}
SAMPLES = [
    ("chat_valid.jsonl", Kind.CHAT),
    ("chat_valid.validation.jsonl", Kind.CHAT),
    ("preference.jsonl", Kind.PREFERENCE),
]


def sample_conversations() -> list[list[dict[str, Any]]]:
    out = []
    for name, kind in SAMPLES:
        for line in (ROOT / "sample_data" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out += [c.messages for c in conversations(json.loads(line), kind) or []]
    return out


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_text_ids_and_mask_equal_transformers(name: str, tmp_path: Path) -> None:
    source = TEMPLATES[name].read_text(encoding="utf-8")
    folder = write_tiny_tokenizer(tmp_path / name, source, bos="<|begin_of_text|>", eos="<|eot_id|>")
    import transformers

    theirs: Any = transformers.AutoTokenizer.from_pretrained(str(folder))
    loaded = load_folder(folder)
    ours = ChatTemplateTokenizer(name, loaded.encoder, source, variables=loaded.variables)
    convs = sample_conversations()
    assert len(convs) >= 20
    rendered = 0
    for messages in convs:
        try:
            expected_text = theirs.apply_chat_template(messages, tokenize=False)
        except Exception as exc:  # transformers raises jinja2's TemplateError with the template's message
            with pytest.raises(TemplateRaised) as caught:
                ours.template.render(messages, variables=ours.variables)
            if type(exc).__name__ == "TemplateError":  # raise_exception: the template's own message, verbatim
                assert str(caught.value) == str(exc)
            continue
        out = ours.template.render(messages, variables=ours.variables)
        assert out.text == expected_text
        encoded = theirs.apply_chat_template(
            messages,
            tokenize=True,
            return_dict=True,
            return_assistant_tokens_mask=ours.template.has_generation,
        )
        ids = ours.encoder.encode(out.text)
        assert ids == list(encoded["input_ids"])
        if ours.template.has_generation:
            facts = ours.analyse(Conversation(messages, "messages"))
            mask = [0] * len(ids)
            for start, end in facts.trained_ranges:
                mask[start:end] = [1] * (end - start)
            assert mask == list(encoded["assistant_masks"])
        rendered += 1
    assert rendered or name.startswith("gemma")  # gemma refuses the samples' system prompts
