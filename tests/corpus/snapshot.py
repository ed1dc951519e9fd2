"""The corpus-diff snapshot: every finding and figure `validate` gives on a fixed corpus, as one JSON document.

A restructure must leave this unchanged (tests/test_corpus_diff.py compares it with expected.json). A change that
is meant to alter behaviour regenerates it and the diff is reviewed in the commit:

    .venv/bin/python tests/corpus/snapshot.py --update
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
INPUTS = HERE / "inputs"
EXPECTED = HERE / "expected.json"
GENERATED_EXAMPLES = 3000  # the benchmark generator's shapes: tools, CJK, duplicates, near-duplicates

# (name, train files, validation files, options); paths are relative to the repository.
CASES: list[tuple[str, list[str], list[str], dict[str, Any]]] = [
    ("sample-valid", ["sample_data/chat_valid.jsonl"], ["sample_data/chat_valid.validation.jsonl"], {}),
    ("sample-invalid", ["sample_data/chat_invalid.jsonl"], [], {}),
    ("sample-preference", ["sample_data/preference.jsonl"], [], {}),
    ("sample-sharegpt-as-chat", ["sample_data/sharegpt.jsonl"], [], {}),
    ("tools-cjk", ["tests/corpus/inputs/tools_and_cjk.jsonl"], [], {}),
    ("tools-cjk-cl100k", ["tests/corpus/inputs/tools_and_cjk.jsonl"], [], {"model": "gpt-3.5-turbo-0125"}),
    ("oddities", ["tests/corpus/inputs/oddities.jsonl"], [], {}),
    ("preference", ["tests/corpus/inputs/preference.jsonl"], [], {"model": "gpt-4.1-mini-2025-04-14"}),
    ("completion", ["tests/corpus/inputs/completion.jsonl"], [], {"model": "babbage-002"}),
    (
        "dups-leak",
        ["tests/corpus/inputs/dups.train.jsonl"],
        ["tests/corpus/inputs/dups.validation.jsonl"],
        {},
    ),
    ("generated", ["<generated>"], [], {}),
    # Open-weight models: the chat-template backend (rendered and trained tokens, DP7xx, packing).
    (
        "open-gpt-oss",
        [
            "sample_data/open_weights.jsonl",
            "tests/corpus/inputs/tools_and_cjk.jsonl",
            "tests/corpus/inputs/oddities.jsonl",
        ],
        [],
        {"model": "openai/gpt-oss-20b", "date": "2025-01-01", "max_seq_length": 256, "packing": True},
    ),
    (
        "open-gpt-oss-preference",
        ["tests/corpus/inputs/preference.jsonl"],
        [],
        {"model": "openai/gpt-oss-20b", "date": "2025-01-01"},
    ),
    (
        "open-gpt-oss-completion",
        ["tests/corpus/inputs/completion.jsonl"],
        [],
        {"model": "openai/gpt-oss-20b", "date": "2025-01-01"},
    ),
    (
        "open-llama-generated",
        ["<generated>"],
        [],
        {"model": "meta-llama/Llama-3.1-8B-Instruct", "date": "2025-01-01", "max_seq_length": 1024},
    ),
    # Other templates through the same tokenizers: trained spans by render-and-diff (llama3, mistral), a
    # template that drops the system prompt (mistral), one that adds a default one (qwen2_5_training), and
    # end-of-turn tokens the template never writes.
    *(
        (
            f"open-template-{template}",
            ["sample_data/open_weights.jsonl", "tests/corpus/inputs/tools_and_cjk.jsonl"],
            [],
            {
                "model": model,
                "chat_template": str(REPO / f"tests/fixtures/templates/{template}/template.jinja"),
                "date": "2025-01-01",
            },
        )
        for template, model in (
            ("llama3", "meta-llama/Llama-3.1-8B-Instruct"),
            ("mistral", "openai/gpt-oss-20b"),
            ("qwen2_5_training", "openai/gpt-oss-20b"),
        )
    ),
    ("generated-no-dp4-jobs2", ["<generated>"], [], {"ignore": ["DP4"], "jobs": 2}),
]


def snapshot() -> dict[str, Any]:
    sys.path.insert(0, str(REPO / "benchmarks"))
    import generate_chat

    import dataprep

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        generated = Path(tmp) / "generated.jsonl"
        generate_chat.write(generated, GENERATED_EXAMPLES, seed=5)

        def where(path: str) -> str:
            return str(generated) if path == "<generated>" else str(REPO / path)

        for name, train, valid, options in CASES:
            config = dataprep.Config()  # no project configuration: the corpus is judged by defaults
            report = dataprep.validate_files(
                [where(p) for p in train], [where(p) for p in valid], config=config, **options
            )
            doc = report.to_dict()
            doc.pop("duplicate_index_bytes", None)  # memory, not behaviour
            for file in doc["files"]:
                file["path"] = _relative(file["path"], tmp)
            for finding in doc["findings"]:
                finding["path"] = _relative(finding["path"], tmp)
                for related in finding.get("related", ()):
                    related["path"] = _relative(related["path"], tmp)
                finding["message"] = finding["message"].replace(str(REPO) + "/", "").replace(tmp + "/", "")
            out[name] = doc
    return out


def _relative(path: str, tmp: str) -> str:
    return path.replace(str(REPO) + "/", "").replace(tmp + "/", "")


def render(doc: dict[str, Any]) -> bytes:
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="write expected.json")
    args = parser.parse_args()
    data = render(snapshot())
    if args.update:
        EXPECTED.write_bytes(data)
        print(f"wrote {EXPECTED}")
        return 0
    sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
