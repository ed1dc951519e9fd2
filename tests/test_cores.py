"""The default number of worker processes (issue 16): one per free core of the cores this process may use, so a
busy machine (a CI runner with neighbours) checks in one process; small inputs always do; `--jobs N` is
honoured as given."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dataprep.validation import cores, executors
from dataprep.validation.cores import available_cores, busy_cores, cgroup_quota, free_workers
from dataprep.validation.executors import (
    BUSY_IN_PROCESS_BYTES,
    IN_PROCESS_BYTES,
    InProcessExecutor,
    PoolExecutor,
    choose_executor,
    resolve_jobs,
)

MID = 4 * IN_PROCESS_BYTES  # 16 MB: the default follows the free cores
BIG = BUSY_IN_PROCESS_BYTES  # from here on every core, whatever the load


@pytest.mark.parametrize(
    ("cores_", "busy", "workers"),
    [
        (2, 0.0, 2),  # idle: every core
        (2, 0.2, 2),  # a little background work: still both
        (2, 0.5, 1),  # one of two cores busy: a second worker would only compete with the neighbour
        (2, 1.0, 1),  # both busy (two busy loops, a parallel test run): in this process
        (16, 0.25, 12),
        (16, 0.97, 1),
        (1, 0.0, 1),
        (4, -0.3, 4),  # out-of-range shares are clamped
        (4, 3.0, 1),
    ],
)
def test_free_workers_is_one_per_free_core(cores_: int, busy: float, workers: int) -> None:
    assert free_workers(cores_, busy) == workers


def _loadavg(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "loadavg"
    path.write_text(text)
    return path


def test_busy_cores_are_the_load_that_is_there_now_and_lasted(tmp_path: Path) -> None:
    # Two busy loops for minutes: load 2, three runnable tasks (the loops and the reader).
    assert busy_cores(_loadavg(tmp_path, "2.10 2.00 1.80 3/210 4242\n")) == 2.0
    # The lingering average of a run that just ended, nothing runnable but the reader: not busy.
    assert busy_cores(_loadavg(tmp_path, "1.30 0.90 0.40 1/210 4242\n")) == 0.0
    # A burst of tasks that just started (a `make -j`) has not shown in the average yet: barely busy.
    assert busy_cores(_loadavg(tmp_path, "0.05 0.01 0.00 6/210 4242\n")) == 0.05


def test_busy_cores_falls_back_to_the_load_average(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "getloadavg", lambda: (0.7, 0.5, 0.1))
    assert busy_cores(tmp_path / "missing") == 0.7
    assert busy_cores(_loadavg(tmp_path, "garbage")) == 0.7


def test_busy_share_is_a_share_of_the_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert cores.busy_share(_loadavg(tmp_path, "2.00 2.00 2.00 3/210 1\n")) == 0.5
    assert cores.busy_share(_loadavg(tmp_path, "9.00 9.00 9.00 12/210 1\n")) == 1.0


def test_cgroup_quota_v2_and_v1(tmp_path: Path) -> None:
    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "cpu.max").write_text("150000 100000\n")
    assert cgroup_quota(v2) == 1.5
    (v2 / "cpu.max").write_text("max 100000\n")
    assert cgroup_quota(v2) is None
    v1 = tmp_path / "v1"
    (v1 / "cpu").mkdir(parents=True)
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("200000\n")
    (v1 / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert cgroup_quota(v1) == 2.0
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    assert cgroup_quota(v1) is None
    assert cgroup_quota(tmp_path / "none") is None


def test_available_cores_is_capped_by_the_container_quota(tmp_path: Path) -> None:
    affinity = len(os.sched_getaffinity(0))
    assert available_cores(tmp_path) == affinity  # no quota
    (tmp_path / "cpu.max").write_text("30000 100000\n")  # a third of a core: still one
    assert available_cores(tmp_path) == 1
    (tmp_path / "cpu.max").write_text(f"{100000 * (affinity + 8)} 100000\n")  # more than the affinity
    assert available_cores(tmp_path) == affinity


def test_small_inputs_run_in_process_whatever_the_jobs() -> None:
    for jobs in (0, 1, 2, 8):
        assert resolve_jobs(jobs, IN_PROCESS_BYTES - 1, busy=0.0) == 1


def test_jobs_given_are_honoured_on_a_busy_machine() -> None:
    assert resolve_jobs(2, MID, busy=1.0) == 2
    assert resolve_jobs(3, None, busy=1.0) == 3
    assert resolve_jobs(1, BIG, busy=0.0) == 1


def test_the_default_follows_the_free_cores_below_the_busy_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executors, "available_cores", lambda: 2)
    assert resolve_jobs(0, MID, busy=0.0) == 2
    assert resolve_jobs(0, MID, busy=0.5) == 1
    assert resolve_jobs(0, BIG - 1, busy=1.0) == 1
    monkeypatch.setattr(executors, "busy_share", lambda: 1.0)
    assert isinstance(choose_executor(0, MID), InProcessExecutor)
    monkeypatch.setattr(executors, "busy_share", lambda: 0.0)
    chosen = choose_executor(0, MID)
    assert isinstance(chosen, PoolExecutor) and chosen.jobs == 2
    assert isinstance(choose_executor(0, IN_PROCESS_BYTES - 1), InProcessExecutor)


def test_large_inputs_get_every_core_whatever_the_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executors, "available_cores", lambda: 2)
    assert resolve_jobs(0, BIG, busy=1.0) == 2
    assert resolve_jobs(0, None, busy=1.0) == 2  # records in memory: no size, every core as before
    monkeypatch.setattr(executors, "busy_share", lambda: 1.0)
    chosen = choose_executor(0, BIG)
    assert isinstance(chosen, PoolExecutor) and chosen.jobs == 2
