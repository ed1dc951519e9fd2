"""The orchestrator: library API, statistics, cost, dataset rules, and identical results for any --jobs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from dataprep import Report, validate, validate_files
from dataprep.config import Config
from dataprep.errors import UsageError
from dataprep.io import jsonl
from dataprep.io.jsonl import FileFacts
from dataprep.rules.base import FileSummary
from dataprep.rules.counts import check_file
from dataprep.stats import quantile
from dataprep.validation import executors
from tests.conftest import SAMPLE, WORKED_EXAMPLE, assistant, chat, user

WORKED = WORKED_EXAMPLE


def test_worked_example_statistics_and_cost_match_the_reference() -> None:
    report = validate(WORKED, model="gpt-3.5-turbo-0125", jobs=1)
    stats = report.files[0].stats
    assert stats.examples == 2
    assert stats.tokens_sum == 112  # 58 + 54 on cl100k_base
    assert stats.assistant_tokens_sum == 36
    assert report.cost is not None
    assert (report.cost.billed_tokens, report.cost.epochs, report.cost.charged_tokens) == (112, 25, 2800)
    assert report.cost.usd == pytest.approx(2800 / 1e6 * 8.0)
    assert stats.missing_system == 1 and stats.missing_user == 0


def test_o200k_counts_of_the_worked_example() -> None:
    stats = validate(WORKED, jobs=1).files[0].stats
    assert stats.total_tokens is not None and (stats.total_tokens.min, stats.total_tokens.max) == (52, 58)
    assert stats.assistant_tokens_sum == 35


def test_percentiles_follow_numpy_linear_interpolation() -> None:
    values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9]
    ordered = sorted(values)
    for q in (0.05, 0.1, 0.5, 0.9, 0.95):
        assert quantile(ordered, q) == pytest.approx(float(np.quantile(values, q)))
    assert quantile([54, 58], 0.1) == pytest.approx(54.4)
    assert quantile([54, 58], 0.9) == pytest.approx(57.6)


def test_example_counts(write_jsonl: Callable[..., Path]) -> None:
    few = validate(write_jsonl([chat()] * 5), select=["DP50"], jobs=1)
    assert [f.code for f in few.findings] == ["DP501"] and not few.ok
    some = validate(write_jsonl([chat()] * 20), select=["DP50"], jobs=1)
    assert [f.code for f in some.findings] == ["DP502"] and some.ok
    enough = validate(write_jsonl([chat()] * 50), select=["DP50"], jobs=1)
    assert enough.findings == ()
    custom = validate(
        write_jsonl([chat()] * 5), select=["DP50"], min_examples=3, recommended_examples=4, jobs=1
    )
    assert custom.findings == ()


def test_file_size_limit() -> None:
    def size_problems(size: int) -> list[str]:
        facts = FileFacts(size_bytes=size)
        summary = FileSummary(
            "f.jsonl", "validation", 1, facts, nonblank_lines=1, examples=1, config=Config()
        )
        return [p.message for _, p in check_file(summary) if p.code == "DP503"]

    assert size_problems(100) == []
    (message,) = size_problems(600 * 1024 * 1024)
    assert "600 MB" in message and "512 MB" in message


def test_validation_file_is_checked_but_not_charged(write_jsonl: Callable[..., Path]) -> None:
    train = write_jsonl(
        [chat(user(f"question {i}"), assistant(f"answer {i}")) for i in range(12)], "train.jsonl"
    )
    valid = write_jsonl(
        [chat(user(f"other {i}"), assistant(f"reply {i}")) for i in range(3)] + [b"{bad"], "valid.jsonl"
    )
    report = validate(train, validation=valid, jobs=1, ignore=["DP4", "DP51"])
    assert [(f.code, Path(f.location.path).name, f.location.line) for f in report.findings] == [
        ("DP502", "train.jsonl", 1),
        ("DP002", "valid.jsonl", 4),
    ]
    assert report.cost is not None and report.cost.examples == 12
    assert [f.role for f in report.files] == ["train", "validation"]


def test_records_in_memory_are_numbered_from_one() -> None:
    report = validate([chat(), chat(user(), user())], select=["DP2"], jobs=1)
    assert [(f.code, f.location.path, f.location.line) for f in report.findings] == [
        ("DP201", "<records>", 2),
        ("DP204", "<records>", 2),
        ("DP205", "<records>", 2),
    ]


def test_a_single_record_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        validate(chat())  # type: ignore[arg-type]


def test_unknown_model_lists_known_ones() -> None:
    with pytest.raises(UsageError, match="gpt-4o-mini-2024-07-18"):
        validate([chat()], model="no-such-model")


def _mixed_lines(n: int) -> list[object]:
    lines: list[object] = []
    for i in range(n):
        if i % 97 == 5:
            lines.append(b"{broken")
        elif i % 89 == 3:
            lines.append(chat(user(f"q{i}"), user("again"), assistant(f"a{i} ")))
        else:
            lines.append(chat(user(f"question number {i} " * (1 + i % 7)), assistant(f"answer {i}")))
    return lines


@pytest.mark.slow
def test_findings_and_stats_are_identical_for_any_number_of_jobs(
    write_jsonl: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_jsonl(_mixed_lines(1000))  # about 150 KB
    # Leave the in-process fast path without a 4 MB file; blocks stay small, so every worker gets several.
    monkeypatch.setattr(executors, "IN_PROCESS_BYTES", 0)
    monkeypatch.setattr(jsonl, "BLOCK_BYTES", 4 * 1024)
    monkeypatch.setattr(executors, "SPAN_BYTES", 4 * 1024)
    one = validate(path, jobs=1)
    two = validate(path, jobs=2)
    three = validate(path, jobs=3)
    assert one.findings == two.findings == three.findings
    assert one.to_dict() == two.to_dict() == three.to_dict()
    lines_seen = [f.location.line for f in one.findings]
    assert lines_seen == sorted(lines_seen)


def test_report_to_dict_shape(write_jsonl: Callable[..., Path]) -> None:
    report = validate(write_jsonl([chat(), b"[1]"]), jobs=1)
    data = json.loads(json.dumps(report.to_dict()))
    assert set(data) >= {"version", "ok", "summary", "model", "files", "cost", "findings"}
    assert data["ok"] is False and data["summary"]["errors"] >= 1
    finding = data["findings"][0]
    assert set(finding) == {"code", "severity", "message", "path", "line", "col", "json_path", "related"}
    assert data["files"][0]["stats"]["examples"] == 1


def test_sample_files() -> None:
    good = validate_files([SAMPLE / "chat_valid.jsonl"], [SAMPLE / "chat_valid.validation.jsonl"])
    assert good.ok, [f.format() for f in good.findings]
    bad = validate(SAMPLE / "chat_invalid.jsonl")
    assert not bad.ok
    assert isinstance(bad, Report)
    pref = validate(SAMPLE / "preference.jsonl")
    assert pref.ok and pref.files[0].kind == "preference"


def test_invalid_sample_matches_its_readme() -> None:
    """sample_data/README.md lists the code each line of chat_invalid.jsonl must produce."""
    table = (SAMPLE / "README.md").read_text().split("## chat_invalid.jsonl, line by line")[1]
    expected: set[tuple[int, str]] = set()
    for row in table.splitlines():
        cells = [c.strip() for c in row.strip("|").split("|")]
        if len(cells) == 3 and cells[0].isdigit():
            expected |= {
                (int(cells[0]), code.strip()) for code in cells[1].split(",") if code.strip().startswith("DP")
            }
    report = validate(SAMPLE / "chat_invalid.jsonl", ignore=["DP4", "DP50"])
    found = {(f.location.line, f.code) for f in report.findings}
    assert found == expected


def test_readme_documents_every_rule() -> None:
    from dataprep.rules.registry import ALL_RULES

    readme = (SAMPLE.parent / "README.md").read_text()
    assert [r.code for r in ALL_RULES if f"| {r.code} |" not in readme] == []


def test_progress_callback_counts_lines_and_bytes(write_jsonl: Callable[..., Path]) -> None:
    path = write_jsonl([chat(user(f"q{i} " + "x" * 400), assistant(f"a{i}")) for i in range(5000)])
    calls: list[tuple[int, int, int | None]] = []
    validate_files([path], progress=lambda lines, done, total: calls.append((lines, done, total)), jobs=1)
    size = path.stat().st_size
    assert len(calls) > 1  # one call per block of about 1 MB
    assert [c[0] for c in calls] == sorted(c[0] for c in calls) and calls[-1][0] == 5000
    assert all(c[2] == size and 0 < c[1] <= size for c in calls) and calls[-1][1] == size


def test_text_from_the_data_cannot_break_the_one_line_format() -> None:
    records = [
        {"messages": [user(), assistant()], "we\nird\x1b[31m": 1},
        chat(user(), {"role": "tool", "tool_call_id": "x\ny", "content": "1"}, assistant()),
    ]
    report = validate(records, jobs=1, ignore=["DP4", "DP50"])
    assert {f.code for f in report.findings} >= {"DP102", "DP206"}
    for finding in report.findings:
        line = finding.format()
        assert "\n" not in line and "\x1b" not in line, line
