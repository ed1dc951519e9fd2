"""A dataset given as many shards: a directory or a glob pattern stands for its JSONL and Parquet files, in
sorted order, with any executor (here the local one)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

import dataprep
from dataprep.errors import InputError
from dataprep.io.shards import expand_inputs


def chat(i: int) -> bytes:
    record = {"messages": [{"role": "user", "content": f"q {i}"}, {"role": "assistant", "content": f"a {i}"}]}
    return orjson.dumps(record) + b"\n"


def test_directories_and_globs_expand_to_sorted_shards(tmp_path: Path) -> None:
    for name in ("b.jsonl", "a.jsonl", "c.parquet", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "sub").mkdir()
    shards = [tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.parquet"]
    assert expand_inputs([tmp_path]) == shards
    assert expand_inputs([str(tmp_path / "*.jsonl")]) == shards[:2]
    assert expand_inputs([tmp_path / "b.jsonl"]) == [tmp_path / "b.jsonl"]  # a file is itself
    with pytest.raises(InputError, match=r"no file matches this pattern"):
        expand_inputs([str(tmp_path / "*.csv")])
    with pytest.raises(InputError, match=r"sub: is a directory with no \.jsonl or \.parquet files"):
        expand_inputs([tmp_path / "sub"])


def test_a_directory_of_shards_validates_as_its_files(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="Parquet shards need pyarrow (dataprep[convert])")
    import pyarrow as pa

    (tmp_path / "part-0.jsonl").write_bytes(b"".join(chat(i) for i in range(12)))
    rows = [orjson.loads(chat(i)) for i in (3, *range(20, 31))]  # row 1 repeats part-0.jsonl:4
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "part-1.parquet")
    report = dataprep.validate(tmp_path, jobs=1)
    assert [Path(f.path).name for f in report.files] == ["part-0.jsonl", "part-1.parquet"]
    assert [f.stats.examples for f in report.files] == [12, 12]
    (copy,) = [f for f in report.findings if f.code == "DP401"]
    assert (Path(copy.location.path).name, copy.location.line) == ("part-1.parquet", 1)
    assert "part-0.jsonl:4" in copy.message


def test_uris_are_read_through_pyarrow_file_systems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pyarrow", reason="URIs are read through pyarrow (dataprep[convert])")
    from dataprep.cli import main

    shards = tmp_path / "shards"
    shards.mkdir()
    (shards / "part-0.jsonl").write_bytes(b"".join(chat(i) for i in range(15)) + b"{broken\n")
    (shards / "part-1.jsonl").write_bytes(chat(2) + b"".join(chat(i) for i in range(40, 52)))
    uri = shards.as_uri()  # file:///...: the same code path as s3:// or gs://, without a network
    by_path = dataprep.validate(shards, jobs=1)
    by_uri = dataprep.validate(uri + "/", jobs=1)
    globbed = dataprep.validate(uri + "/part-*.jsonl", jobs=1)
    assert [f.path for f in by_uri.files] == [f"{uri}/part-0.jsonl", f"{uri}/part-1.jsonl"]

    def seen(report: dataprep.Report) -> list[tuple[str, str, int]]:
        return [(f.code, Path(f.location.path).name, f.location.line) for f in report.findings]

    assert seen(by_uri) == seen(globbed) == seen(by_path)
    assert ("DP401", "part-1.jsonl", 1) in seen(by_uri) and ("DP002", "part-0.jsonl", 16) in seen(by_uri)
    assert [f.stats for f in by_uri.files] == [f.stats for f in by_path.files]
    assert main(["validate", f"{uri}/part-1.jsonl", "-q"]) == 0  # the CLI keeps the URI whole
    assert main(["validate", f"{uri}/missing.jsonl"]) == 2
    assert capsys.readouterr().err.strip().endswith("missing.jsonl: no such file")
