"""Configuration files, overrides and rule selection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataprep import validate
from dataprep.config import Config, find_config_file, load_config
from dataprep.errors import ConfigError
from dataprep.selection import RuleSelection
from dataprep.types import Severity
from tests.conftest import assistant, chat, user


def test_pyproject_is_found_by_walking_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.dataprep]\nmodel = "gpt-3.5-turbo-0125"\nignore = ["DP4"]\n'
    )
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert find_config_file() == tmp_path / "pyproject.toml"
    config = load_config()
    assert config.model == "gpt-3.5-turbo-0125" and config.ignore == ("DP4",)
    assert config.sources["model"] == str(tmp_path / "pyproject.toml")


def test_pyproject_without_our_table_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config_file(tmp_path) is None


def test_dataprep_toml_wins_and_unknown_keys_are_errors(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.dataprep]\nmodel = "gpt-3.5-turbo-0125"\n')
    (tmp_path / "dataprep.toml").write_text('model = "gpt-4o-2024-08-06"\nmin-examples = 5\n')
    config = load_config(start=tmp_path)
    assert config.model == "gpt-4o-2024-08-06" and config.min_examples == 5
    (tmp_path / "dataprep.toml").write_text("modle = 'x'\n")
    with pytest.raises(ConfigError, match=r"dataprep.toml: unknown key 'modle'"):
        load_config(start=tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("jobs = 'two'", "whole number"),
        ("select = 3", "list of rule codes"),
        ("kind = 'dpo'", "kind must be one of"),
        ("[severity]\nDP204 = 'fatal'", "not one of"),
        ("model = [", "not valid TOML"),
    ],
)
def test_bad_values_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "dataprep.toml").write_text(text + "\n")
    with pytest.raises(ConfigError, match=message):
        load_config(start=tmp_path)


def test_arguments_override_the_file(tmp_path: Path) -> None:
    (tmp_path / "dataprep.toml").write_text("epochs = 2\n")
    config = load_config(start=tmp_path).with_overrides("arguments", epochs=4, model=None)
    assert config.epochs == 4 and config.sources["epochs"] == "arguments" and config.model is None


def test_per_file_blocks(tmp_path: Path) -> None:
    (tmp_path / "dataprep.toml").write_text('[[per-file]]\nfiles = "*.validation.jsonl"\nignore = ["DP50"]\n')
    config = load_config(start=tmp_path)
    assert config.for_file("data/x.validation.jsonl").ignore == ("DP50",)
    assert config.for_file("data/x.train.jsonl").ignore == ()


def test_selection_longest_prefix_wins() -> None:
    sel = RuleSelection(select=("DP", "DP205"), ignore=("DP2",))
    assert not sel.enabled("DP204")
    assert sel.enabled("DP205")
    assert sel.enabled("DP101")
    sev = RuleSelection(severity={"DP2": "info", "DP204": "error", "DP601": "off"})
    assert sev.severity_of("DP205", Severity.WARNING) is Severity.INFO
    assert sev.severity_of("DP204", Severity.WARNING) is Severity.ERROR
    assert sev.severity_of("DP601", Severity.WARNING) is None


def test_config_object_drives_validate(tmp_path: Path) -> None:
    records = [chat(user(), assistant(), user("thanks"))] * 12
    config = Config(severity={"DP204": "error"}, ignore=("DP4", "DP50"))
    report = validate(records, config=config, jobs=1)
    assert {f.code for f in report.findings} == {"DP204"} and not report.ok


def test_custom_model_from_the_configuration_file(tmp_path: Path) -> None:
    (tmp_path / "dataprep.toml").write_text(
        'model = "my-llama-8b"\n[models.my-llama-8b]\nencoding = "cl100k_base"\nmax_tokens = 40\nprice_per_1m = 0.5\n'
    )
    report = validate(
        [chat(user("word " * 60), assistant())] * 12, config=load_config(start=tmp_path), jobs=1
    )
    assert report.model.id == "my-llama-8b" and report.model.encoding == "cl100k_base"
    assert report.cost is not None and report.cost.price_per_1m == 0.5
    assert {f.code for f in report.findings} >= {"DP301"}  # 40-token limit


def test_per_file_blocks_apply_to_counts_and_dataset_wide_findings(tmp_path: Path) -> None:
    (tmp_path / "dataprep.toml").write_text(
        '[[per-file]]\nfiles = "*.validation.jsonl"\nignore = ["DP512", "DP401"]\n'
        '[[per-file]]\nfiles = "train.jsonl"\nmin-examples = 2\nrecommended-examples = 3\n'
    )
    train = tmp_path / "train.jsonl"
    valid = tmp_path / "v.validation.jsonl"
    train.write_text("".join(json.dumps(chat(user(f"q{i}"), assistant(f"a{i}"))) + "\n" for i in range(4)))
    valid.write_text((json.dumps(chat(user("same"), assistant("same"))) + "\n") * 2)
    report = validate(train, validation=valid, config=load_config(start=tmp_path), jobs=1)
    codes = [f.code for f in report.findings]
    assert "DP501" not in codes and "DP502" not in codes  # the train file's own thresholds
    assert "DP512" not in codes and "DP401" not in codes  # switched off for validation files


def test_per_file_blocks_refuse_run_wide_keys(tmp_path: Path) -> None:
    (tmp_path / "dataprep.toml").write_text('[[per-file]]\nfiles = "*.jsonl"\nmodel = "gpt-4o-2024-08-06"\n')
    with pytest.raises(ConfigError, match="apply to the whole run"):
        load_config(start=tmp_path)


@pytest.mark.parametrize("text", ['select = ["XYZ"]', 'ignore = ["DP99"]', '[severity]\nDP999 = "error"'])
def test_codes_that_match_no_rule_are_errors(tmp_path: Path, text: str) -> None:
    (tmp_path / "dataprep.toml").write_text(text + "\n")
    with pytest.raises(ConfigError, match="matches no rule code"):
        load_config(start=tmp_path)


def test_codes_in_files_are_case_insensitive(tmp_path: Path) -> None:
    (tmp_path / "dataprep.toml").write_text('ignore = ["dp502"]\n[severity]\ndp204 = "error"\n')
    config = load_config(start=tmp_path)
    assert config.ignore == ("DP502",) and dict(config.severity) == {"DP204": "error"}


def test_split_sanity_thresholds_come_from_the_configuration() -> None:
    train = [chat(user(f"question {i}"), assistant(f"answer {i}")) for i in range(40)]
    valid = [chat(user(f"other {i}"), assistant(f"reply {i}")) for i in range(3)]
    default = validate(train, validation=valid, jobs=1, select=["DP51"])
    assert {f.code for f in default.findings} == {"DP512"}
    relaxed = validate(train, validation=valid, jobs=1, select=["DP51"], min_validation_examples=3)
    assert relaxed.findings == ()
    strict = validate(train, validation=valid, jobs=1, select=["DP51"], min_validation_share=0.2)
    assert {f.code for f in strict.findings} == {"DP510", "DP512"}
