"""Compiled template mappings give exactly the records (and JSON lines) of the general RecordBuilder, and
convert's batched CSV path writes exactly what its item path writes: the same bytes, rejects and counts."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprep import convert_file
from dataprep.conversion.build import RecordBuilder, RowProblem
from dataprep.conversion.compiled import compile_lines, compile_rows
from dataprep.conversion.mapping import compile_mapping
from dataprep.conversion.presets import load_preset

HEADER = ["id", "q", "a", "sys", "note", ""]

_MAPPINGS: list[dict[str, Any]] = [
    {"messages": [{"role": "user", "content": "{q}"}, {"role": "assistant", "content": "{a}"}]},
    {
        "copy": ["id", "note", "messages", "id"],
        "optional": ["note"],
        "messages": [
            {"role": "system", "content": '100% {{literal}} %s %% \\ " \n\t\u2028 é'},
            {"role": "user", "content": ["Q: {q}", "{q} again, {sys}!"], "join": " | "},
            {"role": "assistant", "content": "{a}", "weight": 1},
        ],
    },
    {
        "defaults": {"sys": "(none)"},
        "messages": [
            {"role": "system", "content": "{sys}"},
            {"role": "user", "content": "{q}{a}{q}"},
            {"role": "assistant", "content": "{a}", "weight": 0},
        ],
    },
]

_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list('%s{}"\\\n\r\t\x00\x1f\x7f\u2028é😀 ')), st.characters(codec="utf-8")
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(
    which=st.integers(0, len(_MAPPINGS) - 1),
    values=st.lists(st.one_of(st.just(""), _TEXT), min_size=len(HEADER), max_size=len(HEADER)),
)
def test_compiled_builders_match_the_general_builder(which: int, values: list[str]) -> None:
    mapping = compile_mapping(_MAPPINGS[which])
    row = dict(zip(HEADER, values, strict=True))
    try:
        expected: dict[str, Any] | None = RecordBuilder(mapping).build(row)
    except RowProblem:
        expected = None
    record = compile_rows(mapping)(row)  # type: ignore[misc]
    line = compile_lines(mapping, HEADER)(values)  # type: ignore[misc]
    if record is not None:
        assert record == expected
    if line is not None:
        assert expected is not None and line == orjson.dumps(expected, option=orjson.OPT_APPEND_NEWLINE)
    named = {c for m in _MAPPINGS[which]["messages"] for c in ("q", "a", "sys") if "{" + c + "}" in str(m)}
    if all(row[c] for c in named):  # every template value given: the compiled builders build it
        assert record is not None and line is not None


def test_compiled_builders_refuse_rows_they_do_not_cover() -> None:
    mapping = compile_mapping(_MAPPINGS[0])
    build = compile_rows(mapping)
    assert build is not None
    assert build({"q": "x", "a": 3}) is None  # not text: rendered by the general path
    assert build({"q": "x"}) is None  # missing
    assert compile_lines(mapping, ["q", "other"]) is None  # a template column the header lacks


@pytest.mark.parametrize("preset", ["sharegpt", "preference", "kto"])
def test_mappings_beyond_templates_are_not_compiled(preset: str) -> None:
    assert compile_rows(load_preset(preset)) is None
    assert compile_lines(load_preset(preset), ["conversations", "chosen", "rejected"]) is None


def test_lines_are_written_as_orjson_writes_the_record() -> None:
    mapping = compile_mapping(_MAPPINGS[1])
    fields = ["7", 'say "hi"\n', "hello 😀", "s%s", "", "ignored"]
    line = compile_lines(mapping, HEADER)(fields)  # type: ignore[misc]
    record = RecordBuilder(mapping).build(dict(zip(HEADER, fields, strict=True)))
    assert line == orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
    assert json.loads(line)["id"] == "7" and "note" not in json.loads(line)


def _awkward_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "q", "a", "sys", "note"])
        for i in range(3500):
            q = f"question {i}" if i % 50 else ""  # an empty value: rejected (missing-value)
            a = f"answer {i}\nwith a second line" if i % 7 else f"answer {i}"
            sys_text = "" if i % 11 == 0 else f"system {i}"  # empty: the default, by the general path
            note = "x" * 300 if i % 400 == 3 else "n"  # over --max-cell-size 200: cell-too-large
            writer.writerow([str(i), q, a, sys_text, note])
            if i % 500 == 0:
                handle.write("\n")  # a blank line
            if i % 900 == 0:
                handle.write("only,three,fields\n")  # ragged
    with path.open("ab") as raw:
        raw.write(b"9999,bad \xff byte,a,s,n\n")
    return path


def test_the_batched_path_writes_what_the_item_path_writes(tmp_path: Path) -> None:
    source = _awkward_csv(tmp_path / "in.csv")
    mapping = {**_MAPPINGS[2], "copy": ["id", "note"], "optional": ["note"]}
    results = []
    for trace in (False, True):  # a trace needs every record as an item: the general, per-row path
        out = tmp_path / f"out-{trace}.jsonl"
        report = convert_file(source, out, mapping=mapping, validate=False, trace=trace, max_cell_chars=200)
        rejects = Path(str(out) + ".rejects.jsonl").read_text(encoding="utf-8")
        counts = (report.rows_read, report.rows_written, report.rows_rejected, report.blank_rows)
        samples = [(s.location, s.reason, s.message) for s in report.samples]
        results.append((out.read_bytes(), rejects, counts, dict(report.rejected_by_reason), samples))
    assert results[0] == results[1]
    reasons = {json.loads(line)["reason"] for line in results[0][1].splitlines()}
    assert reasons == {"missing-value", "cell-too-large", "ragged-row", "undecodable"}
    assert results[0][2][3] == 7 and results[0][2][1] > 3000


def test_a_mapping_of_fixed_text_gives_the_same_line_for_every_row() -> None:
    mapping = compile_mapping({"messages": [{"role": "user", "content": "100% {{fixed}}"}]})
    line = compile_lines(mapping, ["x"])
    assert line is not None
    expected = orjson.dumps(RecordBuilder(mapping).build({"x": "1"}), option=orjson.OPT_APPEND_NEWLINE)
    assert (
        line(["1"]) == line(["2"]) == expected == b'{"messages":[{"role":"user","content":"100% {fixed}"}]}\n'
    )


def test_a_file_cut_short_while_read_in_batches_names_the_file(tmp_path: Path) -> None:
    import gzip

    from dataprep.errors import InputError

    whole = gzip.compress(b"q,a\n" + b"".join(b"question %d,answer %d\n" % (i, i) for i in range(20000)))
    source = tmp_path / "in.csv.gz"
    source.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match=r"in\.csv\.gz: cannot read: the file is cut short"):
        convert_file(source, tmp_path / "out.jsonl", user="{q}", assistant="{a}", validate=False)
    assert not (tmp_path / "out.jsonl").exists()
