"""`--executor ray` gives the local executor's results: the same findings (code, file, line), statistics and
cost, on a local 2-CPU Ray cluster started once for the session (Ray's start-up takes seconds: the tests are
few and their data small). The duplicate search's stages are checked on their own, without Ray, in
tests/test_dedup_distributed.py."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from dataprep.cli import main
from dataprep.validation.run import validate_files
from tests.test_dedup_distributed import dataset

# Ray is imported by the cluster fixture only: every pytest-xdist worker imports this module to collect it.
pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("ray") is None,
        reason="ray is not installed (pip install 'dataprep[ray]', in the dev extras)",
    ),
    pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning"),
    # One xdist worker runs the module (`--dist loadgroup` in the Makefile): Ray starts once, not per worker.
    pytest.mark.xdist_group("ray"),
]


@pytest.fixture(scope="session")
def cluster() -> Iterator[None]:
    """One local Ray of 2 CPUs for the session (per pytest-xdist worker that runs these tests)."""
    import ray

    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    if started:
        ray.shutdown()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Training shards (two JSONL files and a Parquet file) and a validation file, with exact, normalised and
    near copies, a conflicting answer, leaks, and lines that fail to read or fail the schema."""
    root = tmp_path_factory.mktemp("ray-data")
    train, valid = dataset(7)
    shards = root / "train"
    shards.mkdir()
    lines = [orjson.dumps(r) for r in train]
    lines[4] = b'{"messages": [{"role": "user", "content": "cut off'  # DP0xx: not JSON
    lines[17] = orjson.dumps({"messages": [{"role": "user", "content": "no answer"}]})  # no assistant turn
    third = len(lines) // 3
    (shards / "part-0.jsonl").write_bytes(b"\n".join(lines[:third]) + b"\n")
    (shards / "part-1.jsonl").write_bytes(b"\r\n".join(lines[third : 2 * third]))  # CRLF, no final newline
    import pyarrow.parquet as pq

    from dataprep.io.arrow_records import encode

    table, layout, _ = encode(train[2 * third :])
    table = table.replace_schema_metadata({b"dataprep": layout.to_json()})
    pq.write_table(table, shards / "part-2.parquet")
    (root / "valid.jsonl").write_bytes(b"\n".join(orjson.dumps(r) for r in valid) + b"\n")
    return root


def test_an_address_where_no_cluster_answers_is_one_line_at_once() -> None:
    from dataprep.errors import UsageError
    from dataprep.validation.ray_executor import _reachable

    with pytest.raises(UsageError, match=r"--ray-address 127\.0\.0\.1:1: no Ray cluster answers there"):
        _reachable("127.0.0.1:1", timeout=2)
    _reachable("auto")  # left to Ray, which finds a cluster started on this machine


def _runs(data: Path, **options: Any) -> tuple[Any, Any]:
    train, valid = [data / "train"], [data / "valid.jsonl"]
    local = validate_files(train, valid, jobs=1, **options)
    remote = validate_files(train, valid, executor="ray", **options)
    return local, remote


def test_same_report_as_the_local_executor(
    cluster: None, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataprep.validation.ray_executor as ray_executor

    monkeypatch.setattr(ray_executor, "MIN_SHARD_BYTES", 4096)  # several shards per JSONL file
    local, remote = _runs(data)
    codes = Counter(f.code for f in local.findings)
    for code in ("DP401", "DP402", "DP403", "DP404", "DP405", "DP406", "DP002"):
        assert codes[code], (code, codes)  # the data exercises each kind of finding
    assert [(f.code, f.location.path, f.location.line) for f in remote.findings] == [
        (f.code, f.location.path, f.location.line) for f in local.findings
    ]
    assert remote.findings == local.findings  # messages, severities and related locations too
    assert remote.files == local.files  # per-file statistics, lines, sizes
    assert remote.cost == local.cost
    # The driver received the rows that are in a finding, not every digest (a third of these rows are).
    assert remote.duplicate_index_bytes < local.duplicate_index_bytes / 2


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(list(args))
    report = json.loads(capsys.readouterr().out)
    report.pop("duplicate_index_bytes")  # what the driver held: the index here, the findings' rows on Ray
    return code, report


def test_cli_json_report_matches_and_the_address_implies_ray(
    cluster: None, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["validate", str(data / "train"), "--validation", str(data / "valid.jsonl"), "--format", "json"]
    assert _cli(capsys, *args, "--executor", "ray") == _cli(capsys, *args, "--jobs", "1")
    # --ray-address alone means Ray; the session's cluster is joined (reused: this process is connected).
    code, report = _cli(capsys, *args, "--ray-address", "auto")
    assert code == 1 and report == _cli(capsys, *args)[1]


def test_convert_shards_in_parallel_with_merged_accounting(cluster: None, tmp_path: Path) -> None:
    from dataprep.conversion.files import convert_file
    from dataprep.conversion.sharded import convert_shards

    shards = tmp_path / "in"
    shards.mkdir()
    rows = [(f"question {i} about {i % 7}", f"answer {i}" if i % 9 else "") for i in range(60)]
    rows[50] = rows[3]  # the same example in two shards: found by the validation of all outputs together
    for n in range(3):
        body = "".join(f"{q},{a}\n" for q, a in rows[20 * n : 20 * n + 20])
        (shards / f"part-{n}.csv").write_text("q,a\n" + body, encoding="utf-8")
    mapping = {"user": "{q}", "assistant": "{a}"}
    local = convert_file(sorted(shards.iterdir()), tmp_path / "one.jsonl", **mapping, validate=False)
    sharded = convert_shards([shards], tmp_path / "out", **mapping)
    assert sharded.rows_read == local.rows_read == 60
    assert sharded.rows_read == sharded.rows_written + sharded.rows_rejected
    assert (sharded.rows_written, sharded.rows_rejected) == (local.rows_written, local.rows_rejected)
    assert sharded.rejected_by_reason == local.rejected_by_reason
    assert [s.location for s in sharded.samples] == [s.location for s in local.samples]
    outputs = [Path(p) for p in sharded.outputs]
    assert [p.name for p in outputs] == ["part-0.jsonl", "part-1.jsonl", "part-2.jsonl"]
    assert b"".join(p.read_bytes() for p in outputs) == (tmp_path / "one.jsonl").read_bytes()
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if "rejects" in p.name) == [
        "part-0.jsonl.rejects.jsonl",
        "part-1.jsonl.rejects.jsonl",
        "part-2.jsonl.rejects.jsonl",
    ]
    (report,) = sharded.validation
    copies = [f for f in report.findings if f.code == "DP401"]
    assert [(Path(f.location.path).name, f.location.line) for f in copies] == [("part-2.jsonl", 10)]


def test_records_in_memory_go_to_the_cluster_as_blocks(cluster: None) -> None:
    import dataprep

    train, valid = dataset(11)
    local = dataprep.validate(train, validation=valid, jobs=1)
    remote = dataprep.validate(train, validation=valid, executor="ray")
    assert {f.code for f in local.findings} >= {"DP401", "DP403", "DP405"}
    assert (remote.findings, remote.files, remote.cost) == (local.findings, local.files, local.cost)


def test_convert_refuses_one_pass_options_and_a_task_error_is_one_line(
    cluster: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dataprep.conversion.sharded import convert_shards
    from dataprep.errors import UsageError

    shard = tmp_path / "part-0.csv"
    shard.write_text("q,a\nx,y\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"--validation-size .* needs one pass"):
        convert_shards([shard], tmp_path / "out", user="{q}", assistant="{a}", validation_size="0.1")
    with pytest.raises(UsageError, match=r"--output-format jsonl or parquet, not hf"):
        convert_shards([shard], tmp_path / "out", user="{q}", assistant="{a}", output_format="hf")
    # An unknown column is found where the shard is read, in a Ray task: the CLI prints its one line.
    code = main(["convert", str(shard), "--user", "{nope}", "--assistant", "{a}", "-o", str(tmp_path / "o")])
    local_err = capsys.readouterr().err
    code_ray = main(
        [
            "convert",
            str(shard),
            "--user",
            "{nope}",
            "--assistant",
            "{a}",
            "-o",
            str(tmp_path / "r"),
            "--executor",
            "ray",
        ]
    )
    ray_err = capsys.readouterr().err
    assert code == code_ray == 2
    assert "Traceback" not in ray_err and len(ray_err.strip().splitlines()) == 1
    assert "nope" in ray_err and ray_err.split("nope")[1] == local_err.split("nope")[1]


def test_uris_are_read_by_the_tasks_themselves(
    cluster: None, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataprep.validation.ray_executor as ray_executor

    monkeypatch.setattr(ray_executor, "MIN_SHARD_BYTES", 4096)  # cut through pyarrow's file system too
    train, valid = (data / "train").as_uri(), (data / "valid.jsonl").as_uri()
    local = validate_files([train], [valid], jobs=1)
    remote = validate_files([train], [valid], executor="ray")
    assert local.files[-2].path.startswith("file://") and local.files[-2].path.endswith(".parquet")
    assert (remote.findings, remote.files, remote.cost) == (local.findings, local.files, local.cost)
