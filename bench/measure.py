"""Whole-process measurements: wall time, CPU time and peak memory of a command and
every process it waits for."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class CommandFailed(RuntimeError):
    pass


def measure(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run `args` to completion. CPU time is user + system of the process tree; peak
    memory is the largest resident set of any process in it (Linux's ru_maxrss)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            tail = errors.read()[-4000:].decode(errors="replace")
            raise CommandFailed(f"{' '.join(args)} exited {process.returncode}\n{tail}")
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def shell(*commands: str) -> list[str]:
    """Several commands run one after the other as one measured process tree."""
    return ["bash", "-euo", "pipefail", "-c", " && ".join(commands)]


def summarize(runs: list[dict[str, float]]) -> dict:
    """The median of each measure over the runs, and the runs themselves."""
    keys = runs[0].keys()
    return {
        "runs": runs,
        "median": {key: round(statistics.median(run[key] for run in runs), 3) for key in keys},
    }


def load_average() -> list[float]:
    return [float(v) for v in Path("/proc/loadavg").read_text().split()[:3]]
