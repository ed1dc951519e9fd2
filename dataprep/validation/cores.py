"""How many cores a run may use: the ones this process may run on, capped by a container's CPU quota, less
the ones other processes keep busy. The default `--jobs 0` starts one worker per free core; on a busy machine
(a CI runner whose neighbours use its cores) extra workers only compete with them, and two workers on two busy
cores cost more CPU than one for the same work."""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
LOADAVG = Path("/proc/loadavg")


def available_cores(cgroup_root: Path = CGROUP_ROOT) -> int:
    """Cores this process may run on (its affinity), at most its container's CPU quota (rounded)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    quota = cgroup_quota(cgroup_root)
    return max(1, min(cores, math.floor(quota + 0.5))) if quota is not None else cores


def cgroup_quota(root: Path = CGROUP_ROOT) -> float | None:
    """The CPU quota of the container this process runs in, in cores (cgroup v2 `cpu.max`, or v1
    `cpu.cfs_quota_us` / `cpu.cfs_period_us`); None without one. Docker `--cpus`, Kubernetes CPU limits and
    most CI executors set it; the affinity mask still shows every core of the host."""
    try:
        quota, _, period = (root / "cpu.max").read_text().partition(" ")
        return int(quota) / int(period) if quota != "max" else None
    except (OSError, ValueError):
        pass
    try:
        quota_us = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period_us = int((root / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None


def busy_share(loadavg: Path = LOADAVG) -> float:
    """The share of the machine's cores other processes keep busy, 0.0 to 1.0 (see `busy_cores`)."""
    return min(1.0, busy_cores(loadavg) / (os.cpu_count() or 1))


def busy_cores(loadavg: Path = LOADAVG) -> float:
    """Cores of the machine other processes keep busy. Linux: the smaller of the 1-minute load average and the processes
    runnable right now (less this one), so that neither a burst nor the lingering average of a run that just
    ended (often this program's own previous run) counts as a busy neighbour; elsewhere the load average; 0.0
    when neither can be read."""
    try:
        fields = loadavg.read_text().split()
        running = int(fields[3].partition("/")[0])
        return max(0.0, min(float(fields[0]), running - 1.0))
    except (OSError, ValueError, IndexError):
        pass
    try:
        return max(0.0, os.getloadavg()[0])
    except OSError:  # pragma: no cover - no load average on this platform
        return 0.0


def free_workers(cores: int, busy: float) -> int:
    """Workers for `cores` cores when a `busy` share of the machine (0.0 to 1.0) is in use by others, assumed
    spread evenly over its cores: one per free core, rounded to the nearest whole core, at least one (which
    means: check in this process). On two cores, one busy core is enough to stay in this process."""
    free = cores * (1.0 - min(max(busy, 0.0), 1.0))
    return max(1, min(cores, math.floor(free + 0.5)))
