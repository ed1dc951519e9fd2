"""`dataprep export --to TRAINER` (issue 12, trainer configs): every config is checked against a schema written
from the trainer's docs (tests/trainer_schemas.py), and the data is loaded the way each trainer loads it
(`datasets.load_dataset`: the trainers themselves need torch, which is not installed here)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dataprep
from dataprep.cli import main
from dataprep.cli.export_cmd import _TRAINERS as CLI_TRAINERS
from dataprep.conversion.trainers import TRAINERS, TrainerOptions
from dataprep.conversion.trainers import export_for_trainer as export_and_validate
from dataprep.conversion.trainers.run import MANIFEST
from dataprep.conversion.trainers.yaml_text import dump
from dataprep.errors import DataprepError, InputError, OutputError, UsageError
from tests import trainer_schemas
from tests.conftest import SAMPLE

# Skipped without datasets, which quiet_load imports: every pytest-xdist worker imports this module to collect it.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("datasets") is None, reason="datasets is not installed (dev extras)"
)

GOLDEN = Path(__file__).parent / "golden" / "convert"
CHAT, CHAT_VALIDATION = SAMPLE / "chat_valid.jsonl", SAMPLE / "chat_valid.validation.jsonl"
PREFERENCE, KTO = SAMPLE / "preference.jsonl", GOLDEN / "kto.jsonl"
OPTIONS = TrainerOptions(base_model="Qwen/Qwen3-0.6B", max_length=2048)


def export_for_trainer(*args: Any, **kwargs: Any) -> Any:
    """The export without its validation run (tested once below): these tests are about the folder."""
    return export_and_validate(*args, validate=False, **kwargs)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def quiet_load(*args: Any, **kwargs: Any) -> Any:
    import datasets
    from datasets.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    try:
        return datasets.load_dataset(*args, **kwargs)
    finally:
        hf_logging.enable_progress_bar()


def chat_without_tools() -> list[dict[str, Any]]:
    return [r for r in lines(CHAT) if "tools" not in r]


# -- Axolotl ---------------------------------------------------------------------------------------------------------


def test_axolotl_chat_config_and_data(tmp_path: Path) -> None:
    out = tmp_path / "ax"
    report = export_for_trainer(CHAT, out, "axolotl", validation=CHAT_VALIDATION, options=OPTIONS)
    config = load_yaml(out / "axolotl.yaml")
    jsonschema.validate(config, trainer_schemas.axolotl("chat"))
    stanza = config["datasets"][0]
    assert stanza["type"] == "chat_template" and stanza["field_messages"] == "messages"
    assert (
        stanza["path"] == "data/train.jsonl" and config["test_datasets"][0]["path"] == "data/validation.jsonl"
    )
    assert stanza["field_tools"] == "tools" and config["sequence_len"] == 2048
    assert config["base_model"] == "Qwen/Qwen3-0.6B"
    # Axolotl reads each file with datasets' json builder, split train.
    loaded = quiet_load("json", data_files=str(out / stanza["path"]), split=stanza["split"])
    assert loaded.num_rows == len(lines(CHAT)) == report.data_files[str(out / "data/train.jsonl")]
    source, written = lines(CHAT), lines(out / "data/train.jsonl")
    call = next(m for r in written for m in r["messages"] if m.get("tool_calls"))
    assert isinstance(
        call["tool_calls"][0]["function"]["arguments"], dict
    )  # an object, as Axolotl's docs give it
    plain = [(s, w) for s, w in zip(source, written, strict=True) if "tools" not in s]
    assert all(s == w for s, w in plain)  # records without tool calls are written unchanged


def test_axolotl_keeps_weight_zero_as_a_training_flag(tmp_path: Path) -> None:
    record = {
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Bad answer.", "weight": 0},
            {"role": "user", "content": "Again?"},
            {"role": "assistant", "content": "Good answer.", "weight": 1},
        ]
    }
    export_for_trainer(write(tmp_path / "w.jsonl", [record]), tmp_path / "ax", "axolotl")
    config = load_yaml(tmp_path / "ax" / "axolotl.yaml")
    jsonschema.validate(config, trainer_schemas.axolotl("chat"))
    assert config["datasets"][0]["message_field_training"] == "training"
    messages = lines(tmp_path / "ax" / "data" / "train.jsonl")[0]["messages"]
    assert [m.get("training") for m in messages] == [None, False, None, True]
    assert all("weight" not in m for m in messages)


def test_axolotl_tool_call_arguments_of_different_functions_read_back_unmerged(tmp_path: Path) -> None:
    def conversation(name: str, arguments: str) -> dict[str, Any]:
        call = {"id": "c1", "type": "function", "function": {"name": name, "arguments": arguments}}
        return {
            "messages": [
                {"role": "user", "content": "go"},
                {"role": "assistant", "tool_calls": [call]},
                {"role": "tool", "tool_call_id": "c1", "content": "ok"},
                {"role": "assistant", "content": "done"},
            ]
        }

    source = write(tmp_path / "in.jsonl", [conversation("f", '{"x": 1}'), conversation("g", '{"y": "z"}')])
    export_for_trainer(source, tmp_path / "ax", "axolotl")
    loaded = quiet_load("json", data_files=str(tmp_path / "ax" / "data" / "train.jsonl"), split="train")
    arguments = [row["messages"][1]["tool_calls"][0]["function"]["arguments"] for row in loaded]
    assert arguments == [{"x": 1}, {"y": "z"}]


def test_axolotl_dpo_config_and_data(tmp_path: Path) -> None:
    out = tmp_path / "ax"
    export_for_trainer(PREFERENCE, out, "axolotl", options=TrainerOptions(packing=True))
    config = load_yaml(out / "axolotl.yaml")
    jsonschema.validate(config, trainer_schemas.axolotl("preference"))
    assert config["rl"] == "dpo" and config["datasets"][0]["type"] == "chat_template.default"
    source, written = lines(PREFERENCE), lines(out / "data" / "train.jsonl")
    assert written[0] == {
        "messages": source[0]["input"]["messages"],
        "chosen": source[0]["preferred_output"][0],
        "rejected": source[0]["non_preferred_output"][0],
    }


def test_axolotl_refuses_kto_records_naming_the_trainers_that_take_them(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--to trl or --to llama-factory"):
        export_for_trainer(KTO, tmp_path / "ax", "axolotl")
    assert not (tmp_path / "ax").exists()


# -- TRL -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "kind"), [(CHAT, "chat"), (PREFERENCE, "preference"), (KTO, "kto")])
def test_trl_config_and_data_load_as_trl_loads_them(tmp_path: Path, source: Path, kind: str) -> None:
    out = tmp_path / "trl"
    options = TrainerOptions(max_length=1024, max_prompt_length=256, packing=True, assistant_only_loss=True)
    report = export_for_trainer(source, out, "trl", validation=source, options=options)
    assert report.kind == kind
    config = load_yaml(out / "trl.yaml")
    jsonschema.validate(config, trainer_schemas.trl(kind))
    # The trl CLI calls load_dataset(dataset_name) and takes the named splits.
    loaded = quiet_load(str(out / config["dataset_name"]))
    assert set(loaded) == {config["dataset_train_split"], config["dataset_test_split"]}
    assert loaded["train"].num_rows == len(lines(source))
    first, record = lines(out / "data" / "train.jsonl")[0], lines(source)[0]
    if kind == "chat":
        assert config["packing"] is True and config["assistant_only_loss"] is True
        assert first == {"messages": record["messages"]}
    elif kind == "preference":
        assert config["max_prompt_length"] == 256 and "packing" not in config
        assert first == {
            "prompt": record["input"]["messages"],
            "chosen": record["preferred_output"],
            "rejected": record["non_preferred_output"],
        }
    else:
        assert first == record


def test_trl_refuses_weight_zero_and_image_parts_with_the_lines(tmp_path: Path) -> None:
    good = {
        "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "weight": 1}]
    }
    zero = {
        "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "weight": 0}]
    }
    image = {
        "messages": [
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://e.com/a.png"}}]},
            {"role": "assistant", "content": "A cat."},
        ]
    }
    source = write(tmp_path / "in.jsonl", [good, zero, image])
    with pytest.raises(InputError) as caught:
        export_for_trainer(source, tmp_path / "trl", "trl")
    text = str(caught.value)
    assert "2 of 3 records" in text and f"{source}:2: messages[1] has weight 0" in text
    assert f"{source}:3: image content parts" in text and "nothing was written" in text
    assert not (tmp_path / "trl").exists() and list(tmp_path.iterdir()) == [source]  # no staging left
    export_for_trainer(write(tmp_path / "ok.jsonl", [good]), tmp_path / "trl", "trl")
    assert lines(tmp_path / "trl" / "data" / "train.jsonl") == [
        {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
    ]


# -- LLaMA-Factory ---------------------------------------------------------------------------------------------------


def sharegpt_order_ok(turns: list[dict[str, Any]]) -> bool:
    """LLaMA-Factory's documented rule: human/observation at odd positions, gpt/function_call at even ones."""
    odd, even = {"human", "observation"}, {"gpt", "function_call"}
    return all(t["from"] in (odd if i % 2 == 0 else even) for i, t in enumerate(turns))


def test_llama_factory_chat_dataset_info_and_data(tmp_path: Path) -> None:
    out = tmp_path / "lf"
    export_for_trainer(CHAT, out, "llama-factory", validation=CHAT_VALIDATION, options=OPTIONS)
    info = json.loads((out / "dataset_info.json").read_text(encoding="utf-8"))
    jsonschema.validate(info, trainer_schemas.LLAMA_FACTORY_DATASET_INFO)
    args = load_yaml(out / "llamafactory.yaml")
    jsonschema.validate(args, trainer_schemas.LLAMA_FACTORY_TRAIN_ARGS)
    assert args["dataset"] in info and args["eval_dataset"] in info and args["stage"] == "sft"
    entry = info[args["dataset"]]
    assert entry["formatting"] == "sharegpt" and entry["columns"]["messages"] == "conversations"
    assert entry["columns"]["system"] == "system" and entry["columns"]["tools"] == "tools"
    # LLaMA-Factory loads a local file with load_dataset("json", data_files=[dataset_dir/file_name]).
    loaded = quiet_load("json", data_files=[str(out / entry["file_name"])], split="train")
    assert loaded.num_rows == len(lines(CHAT))
    rows = lines(out / entry["file_name"])
    assert all(
        sharegpt_order_ok(r["conversations"]) and r["conversations"][-1]["from"] == "gpt" for r in rows
    )
    tool_row = next(r for r in rows if "tools" in r)
    assert isinstance(tool_row["tools"], str) and json.loads(tool_row["tools"])[0]["type"] == "function"
    call = next(t for t in tool_row["conversations"] if t["from"] == "function_call")
    assert set(json.loads(call["value"])) == {"name", "arguments"}
    first, record = rows[0], lines(CHAT)[0]
    assert first["system"] == record["messages"][0]["content"]
    assert [t["value"] for t in first["conversations"]] == [m["content"] for m in record["messages"][1:]]


def test_llama_factory_preference_and_kto_entries(tmp_path: Path) -> None:
    export_for_trainer(PREFERENCE, tmp_path / "dpo", "llama-factory", options=TrainerOptions(name="pairs"))
    info = json.loads((tmp_path / "dpo" / "dataset_info.json").read_text(encoding="utf-8"))
    jsonschema.validate(info, trainer_schemas.LLAMA_FACTORY_DATASET_INFO)
    assert info["pairs"]["ranking"] is True and info["pairs"]["columns"]["chosen"] == "chosen"
    assert (
        "system" not in info["pairs"]["columns"]
    )  # no record has one: LLaMA-Factory would look for the column
    row = lines(tmp_path / "dpo" / "train.jsonl")[0]
    assert row["conversations"][-1]["from"] == "human" and row["chosen"]["from"] == "gpt"
    assert load_yaml(tmp_path / "dpo" / "llamafactory.yaml")["stage"] == "dpo"
    export_for_trainer(KTO, tmp_path / "kto", "llama-factory")
    info = json.loads((tmp_path / "kto" / "dataset_info.json").read_text(encoding="utf-8"))
    assert info["dataprep"]["columns"]["kto_tag"] == "kto_tag"
    rows = lines(tmp_path / "kto" / "train.jsonl")
    assert [r["kto_tag"] for r in rows] == [r["label"] for r in lines(KTO)]
    assert load_yaml(tmp_path / "kto" / "llamafactory.yaml")["stage"] == "kto"


def test_llama_factory_images_become_files_and_placeholders(tmp_path: Path) -> None:
    out = tmp_path / "lf"
    report = export_for_trainer(GOLDEN / "vision.jsonl", out, "llama-factory")
    info = json.loads((out / "dataset_info.json").read_text(encoding="utf-8"))
    assert info["dataprep"]["columns"]["images"] == "images"
    rows = lines(out / "train.jsonl")
    for row in rows:
        human = "".join(t["value"] for t in row["conversations"] if t["from"] == "human")
        assert human.count("<image>") == len(row.get("images", []))
        assert all((out / path).read_bytes().startswith(b"\x89PNG") for path in row.get("images", []))
    assert rows[0]["conversations"][0]["value"] == "<image>What colour is this square?"
    sample = (SAMPLE / "vision" / "images" / "red.png").read_bytes()
    assert (out / rows[0]["images"][0]).read_bytes() == sample  # the bytes of the original file
    assert any("images from data URLs" in n for n in report.notes)


@pytest.mark.parametrize(
    ("messages", "words"),
    [
        ([{"role": "user", "content": "a"}, {"role": "system", "content": "s"}, {"role": "assistant", "content": "b"}], "system message after the start"),
        ([{"role": "user", "content": "a"}, {"role": "user", "content": "b"}, {"role": "assistant", "content": "c"}], "alternate"),
        ([{"role": "user", "content": "a"}], "does not end with an assistant"),
        ([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "weight": 0}], "weight 0"),
        ([{"role": "user", "content": "a <image>"}, {"role": "assistant", "content": "b"}], "image marker"),
        ([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "refusal": "no"}], "refusal"),
    ],
)  # fmt: skip
def test_llama_factory_refuses_rows_it_would_skip_or_misread(
    tmp_path: Path, messages: list[dict[str, Any]], words: str
) -> None:
    with pytest.raises(InputError, match=words):
        export_for_trainer(
            write(tmp_path / "in.jsonl", [{"messages": messages}]), tmp_path / "lf", "llama-factory"
        )


# -- AutoTrain -------------------------------------------------------------------------------------------------------


def test_autotrain_sft_config_and_data(tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", chat_without_tools())
    out = tmp_path / "at"
    export_for_trainer(source, out, "autotrain", validation=source, options=OPTIONS)
    config = load_yaml(out / "autotrain.yml")
    jsonschema.validate(config, trainer_schemas.autotrain("chat"))
    data = config["data"]
    assert config["task"] == "llm-sft" and data["column_mapping"] == {"text_column": "messages"}
    # AutoTrain: load_dataset(data_path, split=train_split), then the text column through the chat template.
    loaded = quiet_load(str(out / data["path"]), split=data["train_split"])
    assert loaded.column_names == ["messages"] and loaded.num_rows == len(chat_without_tools())
    assert quiet_load(str(out / data["path"]), split=data["valid_split"]).num_rows == loaded.num_rows


def test_autotrain_dpo_writes_whole_conversations_whose_last_message_is_the_answer(tmp_path: Path) -> None:
    out = tmp_path / "at"
    export_for_trainer(PREFERENCE, out, "autotrain", options=TrainerOptions(max_prompt_length=128))
    config = load_yaml(out / "autotrain.yml")
    jsonschema.validate(config, trainer_schemas.autotrain("preference"))
    assert config["task"] == "llm" and config["params"]["trainer"] == "dpo"
    assert config["params"]["max_prompt_length"] == 128
    row, record = lines(out / "data" / "train.jsonl")[0], lines(PREFERENCE)[0]
    # What AutoTrain does with it: chosen[:-1] is the prompt, chosen[-1:] and rejected[-1:] the answers.
    assert row["chosen"][:-1] == record["input"]["messages"] == row["rejected"][:-1]
    assert (
        row["chosen"][-1:] == record["preferred_output"]
        and row["rejected"][-1:] == record["non_preferred_output"]
    )
    assert set(config["data"]["column_mapping"].values()) <= set(row)


def test_autotrain_refuses_tools_and_kto(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="tool definitions"):
        export_for_trainer(CHAT, tmp_path / "at", "autotrain")
    with pytest.raises(InputError, match="no KTO trainer"):
        export_for_trainer(KTO, tmp_path / "at", "autotrain")


# -- output safety and inputs ------------------------------------------------------------------------------------


def test_outputs_are_never_written_over_inputs_or_unknown_folders(tmp_path: Path) -> None:
    out = tmp_path / "run"
    export_for_trainer(PREFERENCE, out, "trl")
    with pytest.raises(OutputError, match="already exists"):
        export_for_trainer(PREFERENCE, out, "trl")
    export_for_trainer(PREFERENCE, out, "axolotl", force=True)  # an earlier export is replaced
    assert (out / "axolotl.yaml").exists() and not (out / "trl.yaml").exists()
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["trainer"] == "axolotl" and manifest["examples"] == {"data/train.jsonl": 10}
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputError, match="not a folder `dataprep export` wrote"):
        export_for_trainer(PREFERENCE, other, "trl", force=True)
    assert (other / "notes.txt").read_text(encoding="utf-8") == "keep me"
    inside = write(out / "data" / "mine.jsonl", lines(PREFERENCE))
    with pytest.raises(OutputError, match="holds the input"):
        export_for_trainer(inside, out, "trl", force=True)
    assert inside.exists()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"messages": [{"role": "user", "content": "a"}]}\n{"prompt": "x"}\n', ":2: not a chat, preference"),
        ('{"messages": [{"role": "user"}]}\nnot json\n', ":2: not valid JSON"),
        ("\n\n", "holds no records"),
    ],
)
def test_inputs_that_are_not_dataprep_records_name_the_line(tmp_path: Path, text: str, words: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=words):
        export_for_trainer(source, tmp_path / "out", "trl")


def test_old_preference_names_are_read_as_the_new_ones(tmp_path: Path) -> None:
    record = lines(PREFERENCE)[0]
    old = {
        "input": record["input"],
        "preferred_completion": record["preferred_output"],
        "non_preferred_completion": record["non_preferred_output"],
    }
    export_for_trainer(write(tmp_path / "old.jsonl", [old]), tmp_path / "trl", "trl")
    assert lines(tmp_path / "trl" / "data" / "train.jsonl")[0]["chosen"] == record["preferred_output"]


def test_a_name_that_is_not_a_plain_word_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--name"):
        export_for_trainer(PREFERENCE, tmp_path / "x", "llama-factory", options=TrainerOptions(name="a b/c"))


def test_train_and_validation_must_hold_the_same_kind(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="preference records, but"):
        export_for_trainer(CHAT, tmp_path / "out", "trl", validation=PREFERENCE)


def test_cli_writes_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ax"
    args = ["export", str(PREFERENCE), "--to", "axolotl", "-o", str(out), "--max-length", "1024"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "exported preference records for axolotl" in text and "axolotl train axolotl.yaml" in text
    assert main([*args, "--force", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["data_files"] == {str(out / "data" / "train.jsonl"): 10}
    assert main(["export", str(KTO), "--to", "autotrain", "-o", str(tmp_path / "x")]) == 2
    assert "no KTO trainer" in capsys.readouterr().err
    assert main(["export", str(KTO), "--to", "nemo", "-o", str(tmp_path / "x")]) == 2
    bad = write(tmp_path / "bad.jsonl", [{"messages": [{"role": "user", "content": "only a question"}]}] * 12)
    assert main(["export", str(bad), "--to", "trl", "-o", str(tmp_path / "b")]) == 1
    assert "DP2" in capsys.readouterr().out
    assert main(["export", str(bad), "--to", "trl", "-o", str(tmp_path / "c"), "--no-validate"]) == 0


def test_the_input_is_validated_with_the_trainers_target_profile(tmp_path: Path) -> None:
    report = export_and_validate(CHAT, tmp_path / "ax", "axolotl", validation=CHAT_VALIDATION)
    assert report.validation is not None and report.ok
    assert (tmp_path / "ax" / "axolotl.yaml").exists() and not any(tmp_path.glob(".ax.*"))
    # With the trainer as target, OpenAI's 10-example minimum (DP501) does not apply to 3 examples.
    few = write(tmp_path / "few.jsonl", lines(CHAT)[:3])
    assert any(f.code == "DP501" for f in dataprep.validate(few).findings)
    report = export_and_validate(few, tmp_path / "few", "trl")
    assert report.validation is not None and report.ok
    assert not any(f.code == "DP501" for f in report.validation.findings)
    # KTO records are read as chat, without the same-prompt conflict that is KTO's point.
    report = export_and_validate(KTO, tmp_path / "kto", "trl")
    assert report.validation is not None and report.ok
    assert not any(f.code == "DP404" for f in report.validation.findings)
    assert not any(p.name.startswith(".chat-view") for p in (tmp_path / "kto").rglob("*"))
    # Errors in the input: the folder is written, the report is not ok (exit 1).
    bad = write(tmp_path / "bad.jsonl", [{"messages": [{"role": "user", "content": "only a question"}]}] * 12)
    report = export_and_validate(bad, tmp_path / "bad", "trl")
    assert not report.ok and (tmp_path / "bad" / "trl.yaml").exists()


def test_kto_validation_keeps_the_input_line_numbers_across_blank_lines(tmp_path: Path) -> None:
    text = KTO.read_text(encoding="utf-8").splitlines(keepends=True)
    source = tmp_path / "kto.jsonl"
    source.write_text("".join([text[0], "\n", *text[1:]]), encoding="utf-8")
    report = export_and_validate(source, tmp_path / "out", "trl")
    assert report.validation is not None
    blank = [f for f in report.validation.findings if f.code == "DP004"]
    assert [f.location.line for f in blank] == [2]
    assert report.data_files[str(tmp_path / "out" / "data" / "train.jsonl")] == len(text)


def test_a_refusal_in_the_validation_file_leaves_nothing(tmp_path: Path) -> None:
    zero = {
        "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "weight": 0}]
    }
    with pytest.raises(InputError, match=r"valid\.jsonl:1: messages"):
        export_for_trainer(CHAT, tmp_path / "out", "trl", validation=write(tmp_path / "valid.jsonl", [zero]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["valid.jsonl"]


def test_the_cli_lists_every_trainer() -> None:
    assert CLI_TRAINERS == TRAINERS


@pytest.mark.parametrize(
    "value", ["yes", "no", "1.0", "a: b", "#x", "中文", "path/with space", "", "null", 3, 0.5, True, None]
)
def test_yaml_writer_round_trips_through_a_yaml_parser(value: Any) -> None:
    document = {"key": value, "list": [value, "plain"], "nested": {"items": [{"a": value, "b": [1, 2]}]}}
    assert yaml.safe_load(dump(document, ["a comment"])) == document


def test_readme_worked_examples_are_what_export_writes(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")

    def block_after(marker: str) -> str:
        start = readme.index(marker) + len(marker)
        return readme[start : readme.index("```", start)]

    export_for_trainer(
        CHAT,
        tmp_path / "run",
        "axolotl",
        validation=CHAT_VALIDATION,
        options=TrainerOptions(max_length=4096, base_model="Qwen/Qwen3-0.6B"),
    )
    config_lines = (tmp_path / "run" / "axolotl.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    assert block_after("$ sed -n 3,18p run/axolotl.yaml\n") == "".join(config_lines[2:18])
    export_for_trainer(
        PREFERENCE,
        tmp_path / "lf",
        "llama-factory",
        options=TrainerOptions(name="kitchen_dpo", max_length=2048),
    )
    shown = block_after("$ cat lf/dataset_info.json\n").split("$ head -1 lf/train.jsonl\n")
    assert shown[0] == (tmp_path / "lf" / "dataset_info.json").read_text(encoding="utf-8")
    first = (tmp_path / "lf" / "train.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)[0]
    assert shown[1] == first


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["type", "text", "x"]), inner, max_size=2)
    ),
    max_leaves=6,
)
_MESSAGES = st.lists(
    st.fixed_dictionaries(
        {"role": st.sampled_from(["system", "user", "assistant", "tool", "developer", "x"])},
        optional={
            "content": _VALUES,
            "weight": st.sampled_from([0, 1, 2, "1"]),
            "tool_calls": _VALUES,
            "name": _VALUES,
        },
    ),
    max_size=4,
)
_RECORDS = st.one_of(
    st.fixed_dictionaries({"messages": _MESSAGES}, optional={"tools": _VALUES, "functions": _VALUES}),
    st.fixed_dictionaries(
        {
            "input": st.fixed_dictionaries({"messages": _MESSAGES}),
            "preferred_output": _MESSAGES,
            "non_preferred_output": _MESSAGES,
        }
    ),
    st.fixed_dictionaries({"prompt": _MESSAGES, "completion": _MESSAGES, "label": st.booleans()}),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=_RECORDS, trainer=st.sampled_from(TRAINERS))
def test_any_record_is_written_or_refused_with_a_dataprep_error(
    tmp_path: Path, record: dict[str, Any], trainer: str
) -> None:
    source = write(tmp_path / "in.jsonl", [record])
    out = tmp_path / "out"
    try:
        export_for_trainer(source, out, trainer, force=True)
    except DataprepError as exc:
        # nothing half-written: no folder, or the whole folder of an earlier example
        assert str(exc) and (not out.exists() or (out / MANIFEST).exists())
    else:
        assert (out / MANIFEST).exists()
