"""Preference pairs, KTO labels and images in convert (issue 12): what converts, in which shape, and which rows are
rejected with which reason. The golden outputs of the samples are in tests/golden/convert/."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprep.cli import main
from dataprep.conversion import convert_file
from dataprep.conversion.images import image_type
from dataprep.conversion.mapping import compile_mapping
from dataprep.conversion.pipeline import Converted, Rejected, convert
from dataprep.errors import MappingError
from dataprep.schema.checks import check_record
from tests.conftest import SAMPLE

GOLDEN = Path(__file__).parent / "golden" / "convert"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def items(rows: Any, **kwargs: Any) -> tuple[list[dict[str, Any]], list[Rejected]]:
    found = list(convert(rows, **kwargs))
    return [i.record for i in found if isinstance(i, Converted)], [
        i for i in found if isinstance(i, Rejected)
    ]


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def assistant(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": text}


# -- preference ----------------------------------------------------------------------------------------------


def test_explicit_prompt_text_and_conversational_give_openai_dpo_records() -> None:
    rows = [
        {"prompt": "2+2?", "chosen": "4", "rejected": "5"},
        {"prompt": [user("2+2?")], "chosen": [assistant("4")], "rejected": [assistant("5")]},
        # an answer stored as the whole conversation (prompt repeated) keeps only what follows the prompt
        {
            "prompt": "2+2?",
            "chosen": [user("2+2?"), assistant("4")],
            "rejected": [user("2+2?"), assistant("5")],
        },
    ]
    records, rejected = items(rows, preset="preference")
    expected = {
        "input": {"messages": [user("2+2?")]},
        "preferred_output": [assistant("4")],
        "non_preferred_output": [assistant("5")],
    }
    assert not rejected and records == [expected] * 3
    assert check_record(expected, "preference") == []  # the shape validate reads


def test_implicit_prompt_is_the_shared_start_of_chosen_and_rejected() -> None:
    system = {"role": "system", "content": "Be brief."}
    row = {
        "chosen": [system, user("Hi"), assistant("Hello"), user("Bye?"), assistant("Bye!")],
        "rejected": [system, user("Hi"), assistant("Hello"), user("Bye?"), assistant("No.")],
    }
    records, rejected = items([row], preset="preference")
    assert not rejected
    assert records[0]["input"]["messages"] == row["chosen"][:4]
    assert records[0]["preferred_output"] == [assistant("Bye!")]
    assert records[0]["non_preferred_output"] == [assistant("No.")]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            {"chosen": [user("A"), assistant("B")], "rejected": [user("C"), assistant("D")]},
            "no-shared-prompt",
        ),
        ({"chosen": "plain text", "rejected": "other text"}, "no-shared-prompt"),
        ({"prompt": "x", "chosen": [assistant("a"), user("b")], "rejected": "c"}, "not-one-answer"),
        ({"prompt": "x", "chosen": [user("a")], "rejected": "c"}, "not-one-answer"),
        ({"prompt": "x", "chosen": "", "rejected": "c"}, "missing-value"),
        ({"prompt": "x", "chosen": [42], "rejected": "c"}, "bad-answer"),
        ({"prompt": "x", "chosen": {"speaker": "gpt"}, "rejected": "c"}, "bad-answer"),
        ({"prompt": "x", "chosen": [{"role": "robot", "content": "a"}], "rejected": "c"}, "unknown-role"),
    ],
)
def test_pairs_that_cannot_be_written_faithfully_are_rejected(row: dict[str, Any], reason: str) -> None:
    records, rejected = items([row], preset="preference")
    assert not records and [r.reason for r in rejected] == [reason]


def test_csv_cells_holding_json_lists_are_read_as_messages_and_bracketed_text_stays_text(
    tmp_path: Path,
) -> None:
    source = tmp_path / "pairs.csv"
    chosen = json.dumps([user("Hi"), assistant("Hello")]).replace('"', '""')
    rejected = json.dumps([user("Hi"), assistant("Go away")]).replace('"', '""')
    source.write_text(
        f'prompt,chosen,rejected\n,"{chosen}","{rejected}"\n"[1] Why?","[a] Because.","[b] No."\n',
        encoding="utf-8",
    )
    records, rejected_rows = items(str(source), preset="preference")
    assert not rejected_rows
    assert records[0]["input"]["messages"] == [user("Hi")]
    assert records[1]["input"]["messages"] == [user("[1] Why?")]
    assert records[1]["preferred_output"] == [assistant("[a] Because.")]


def test_llama_factory_sharegpt_and_alpaca_preference_presets() -> None:
    sharegpt = {
        "conversations": [{"from": "human", "value": "Q?"}],
        "chosen": {"from": "gpt", "value": "Good."},
        "rejected": {"from": "gpt", "value": "Bad."},
        "system": "Sys.",
    }
    records, rejected = items([sharegpt], preset="sharegpt-preference")
    assert not rejected and records[0] == {
        "input": {"messages": [{"role": "system", "content": "Sys."}, user("Q?")]},
        "preferred_output": [assistant("Good.")],
        "non_preferred_output": [assistant("Bad.")],
    }
    alpaca = {"instruction": "Add", "input": "2 and 2", "chosen": "4", "rejected": "5"}
    records, rejected = items([alpaca], preset="alpaca-preference")
    assert not rejected and records[0]["input"]["messages"] == [user("Add\n2 and 2")]


def test_a_mapping_file_may_name_its_own_columns() -> None:
    mapping = {
        "chosen": "good",
        "rejected": "bad",
        "messages": [{"role": "user", "content": "{question}"}],
    }
    records, rejected = items([{"question": "Q", "good": "G", "bad": "B"}], mapping=mapping)
    assert not rejected and records[0]["preferred_output"] == [assistant("G")]


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"chosen": "c"}, "'chosen' and 'rejected' go together"),
        ({"chosen": "c", "rejected": "r", "label": "l"}, "different records"),
        ({"chosen": "c", "rejected": "r", "images": "i"}, "text-only"),
        ({"chosen": "c", "rejected": "r", "copy": ["id"]}, "no other keys"),
        ({"label": "l", "group": {"by": "id", "role_column": "role"}}, "one row per example"),
        ({"chosen": "c", "rejected": "r", "messages": [{"from": "p", "text_role": "tool"}]}, "text_role"),
    ],
)
def test_mapping_combinations_that_make_no_single_record_kind_are_refused(
    spec: dict[str, Any], words: str
) -> None:
    spec = {"messages": [{"role": "user", "content": "{q}"}], **spec}
    with pytest.raises(MappingError, match=words):
        compile_mapping(spec)


# -- KTO -----------------------------------------------------------------------------------------------------


def test_kto_rows_become_trl_kto_records() -> None:
    rows = [
        {"prompt": "Q", "completion": "A", "label": True},
        {"prompt": [user("Q")], "completion": [assistant("B")], "label": "false"},
        {"prompt": "Q", "completion": "C", "label": 1},
    ]
    records, rejected = items(rows, preset="kto")
    assert not rejected
    assert records[0] == {"prompt": [user("Q")], "completion": [assistant("A")], "label": True}
    assert [r["label"] for r in records] == [True, False, True]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"prompt": "Q", "completion": "A", "label": "maybe"}, "bad-label"),
        ({"prompt": "Q", "completion": "A", "label": 2}, "bad-label"),
        ({"prompt": "Q", "completion": [user("A")], "label": True}, "no-completion"),
    ],
)
def test_kto_rows_without_a_clear_label_or_answer_are_rejected(row: dict[str, Any], reason: str) -> None:
    records, rejected = items([row], preset="kto")
    assert not records and [r.reason for r in rejected] == [reason]


def test_llama_factory_kto_tag_preset() -> None:
    row = {
        "conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"}],
        "kto_tag": False,
    }
    records, rejected = items([row], preset="sharegpt-kto")
    assert not rejected and records == [
        {"prompt": [user("Q")], "completion": [assistant("A")], "label": False}
    ]


def test_kto_output_is_validated_as_chat_without_the_same_prompt_finding(tmp_path: Path) -> None:
    report = convert_file(SAMPLE / "kto.jsonl", tmp_path / "k.jsonl", preset="kto")
    assert report.record_kind == "kto" and report.rows_written == 12
    codes = {f.code for r in report.validation for f in r.findings}
    assert "DP404" not in codes and report.ok  # the sample asks the same question with good and bad answers
    with pytest.raises(Exception, match="JSONL only"):
        convert_file(SAMPLE / "kto.jsonl", tmp_path / "k.parquet", preset="kto", output_format="parquet")


# -- images --------------------------------------------------------------------------------------------------


def test_placeholders_become_image_parts_in_order_and_urls_are_kept() -> None:
    row = {
        "instruction": "Compare <image> and <image>",
        "output": "Same.",
        "images": ["https://example.com/a.png", "data:image/png;base64,AAAA"],
    }
    records, rejected = items([row], preset="alpaca")
    assert not rejected
    assert records[0]["messages"][0]["content"] == [
        {"type": "text", "text": "Compare "},
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
        {"type": "text", "text": " and "},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
    ]


def test_local_files_become_data_urls_only_when_asked(tmp_path: Path) -> None:
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "dot.png").write_bytes(PNG)
    source = tmp_path / "v.jsonl"
    source.write_text(
        json.dumps({"instruction": "<image>What?", "output": "A dot.", "images": ["pics/dot.png"]}) + "\n"
    )
    records, rejected = items(str(source), preset="alpaca")
    assert not records and rejected[0].reason == "local-image" and "--embed-images" in rejected[0].message
    records, rejected = items(str(source), preset="alpaca", embed_images=True)
    url = records[0]["messages"][0]["content"][0]["image_url"]["url"]
    assert url == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert records[0]["messages"][0]["content"][1] == {"type": "text", "text": "What?"}


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            {"instruction": "No placeholder", "output": "x", "images": ["https://e.com/a.png"]},
            "image-count-mismatch",
        ),
        (
            {"instruction": "<image><image>", "output": "x", "images": ["https://e.com/a.png"]},
            "image-count-mismatch",
        ),
        (
            {"instruction": "<image>", "output": "<image>", "images": ["https://e.com/a.png"] * 2},
            "image-outside-user",
        ),
        ({"instruction": "<image>", "output": "x", "images": ["s3://bucket/a.png"]}, "unsupported-image-url"),
        ({"instruction": "<image>", "output": "x", "images": [3]}, "bad-images"),
        ({"instruction": "<image>", "output": "x", "images": "[not json"}, "bad-images"),
    ],
)
def test_rows_whose_images_do_not_match_the_text_are_rejected(row: dict[str, Any], reason: str) -> None:
    records, rejected = items([row], preset="alpaca")
    assert not records and [r.reason for r in rejected] == [reason]


def test_embedded_images_are_checked_against_the_target_limits(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(PNG + b"\0" * (10 * 1024 * 1024))
    (tmp_path / "dot.png").write_bytes(PNG)
    (tmp_path / "notes.png").write_bytes(b"not an image")
    rows = [
        {"instruction": "<image>", "output": "x", "images": ["big.png"]},
        {"instruction": "<image>" * 11, "output": "x", "images": ["dot.png"] * 11},
        {"instruction": "<image>", "output": "x", "images": ["notes.png"]},
        {"instruction": "<image>", "output": "x", "images": ["missing.png"]},
        {"instruction": "<image>", "output": "x", "images": ["dot.png"]},
    ]
    source = tmp_path / "v.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = convert_file(
        source, tmp_path / "o.jsonl", preset="alpaca", embed_images=True, target="openai", validate=False
    )
    assert dict(report.rejected_by_reason) == {
        "image-too-large": 1,
        "too-many-images": 1,
        "image-format": 1,
        "image-not-found": 1,
    }
    assert report.rows_written == 1
    messages = [s.message for s in report.samples]
    assert any("openai takes at most 10,485,760" in m for m in messages)
    assert any("openai takes at most 10" in m for m in messages)
    # Without a target no limit is invented: the big image converts.
    report = convert_file(
        source, tmp_path / "o2.jsonl", preset="alpaca", embed_images=True, image_dir=tmp_path, validate=False
    )
    assert report.rows_written == 3


def test_image_type_reads_the_magic_numbers() -> None:
    assert image_type(PNG) == "image/png"
    assert image_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert image_type(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    assert image_type(b"GIF89a...") == "image/gif"
    assert image_type(b"%PDF-1.7") is None


def test_sharegpt_preset_with_images_converts_where_it_used_to_stop(tmp_path: Path) -> None:
    row = {
        "conversations": [{"from": "human", "value": "<image>What?"}, {"from": "gpt", "value": "A cat."}],
        "images": ["https://example.com/cat.png"],
    }
    records, rejected = items([row], preset="sharegpt")
    assert not rejected and records[0]["messages"][0]["content"][0]["type"] == "image_url"


# -- golden outputs of the samples -------------------------------------------------------------------------------

GOLDEN_CASES = [
    ("preference_pairs_zh.csv", "preference", {}),
    ("preference_implicit.jsonl", "preference", {}),
    ("kto.jsonl", "kto", {}),
    ("vision/vision.json", "alpaca", {"embed_images": True, "target": "openai"}),
]


@pytest.mark.parametrize(("name", "preset", "options"), GOLDEN_CASES)
def test_samples_convert_to_their_golden_output(
    tmp_path: Path, name: str, preset: str, options: dict[str, Any]
) -> None:
    out = tmp_path / "out.jsonl"
    report = convert_file(SAMPLE / name, out, preset=preset, validate=False, **options)
    assert report.rows_rejected == 0
    golden = GOLDEN / (Path(name).name.split(".")[0] + ".jsonl")
    assert out.read_text(encoding="utf-8") == golden.read_text(encoding="utf-8")


def test_cli_flags_reach_the_conversion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "v.jsonl"
    args = ["convert", str(SAMPLE / "vision" / "vision.json"), "--preset", "alpaca", "-o", str(out)]
    assert main([*args, "--no-validate"]) == 0
    assert "local-image" in capsys.readouterr().out
    assert main([*args, "--no-validate", "--force", "--embed-images", "--target", "openai"]) == 0
    assert "rejected 0" in capsys.readouterr().out
    assert main([*args, "--no-validate", "--force", "--target", "nope"]) == 2
    assert "unknown target" in capsys.readouterr().err


_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-2, 2)
    | st.sampled_from(["", "x", "<image>", "[", "{}", "a.png"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["role", "content", "from", "value"]), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(
    row=st.dictionaries(
        st.sampled_from(
            ["prompt", "chosen", "rejected", "completion", "label", "instruction", "output", "images"]
        ),
        _VALUES,
    ),
    preset=st.sampled_from(["preference", "kto", "alpaca", "sharegpt-preference"]),
)
def test_any_row_converts_or_is_rejected_with_a_reason(row: dict[str, Any], preset: str) -> None:
    try:
        found = list(convert([row], preset=preset))
    except MappingError:
        return  # a column no record has: the whole run stops with a message (checked elsewhere)
    assert len(found) == 1
    item = found[0]
    assert isinstance(item, (Converted, Rejected))
    if isinstance(item, Rejected):
        assert item.reason and item.message


def test_pairs_go_through_to_trl_and_kto_records_are_not_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "pairs.jsonl"
    report = convert_file(
        SAMPLE / "preference_pairs_zh.csv", out, preset="preference", to="trl", validate=False
    )
    assert report.rows_written == 12
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"prompt", "chosen", "rejected"} and first["chosen"][0]["role"] == "assistant"
    with pytest.raises(Exception, match="KTO records are TRL's shape already"):
        convert_file(SAMPLE / "kto.jsonl", tmp_path / "k.jsonl", preset="kto", to="trl", validate=False)
