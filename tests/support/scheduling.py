"""The order in which pytest-xdist hands test files to its workers: longest first.

xdist's `--dist loadfile` queues the files with the most tests first, which put the
one-test files that take minutes (rebuild equivalence, Spark) at the end of the run, alone
on one worker while the others sat idle. This scheduler queues the files by their measured
duration, longest first (the LPT rule, within a few percent of the shortest possible run),
and files not listed after them in xdist's own order.

One subtlety of xdist: a worker runs its last queued test only once it holds a next one
(pytest needs the next item to tear fixtures down), so each worker starts with two files.
Its second file is the shortest one left, not the next longest: two long files on one
worker would run one after the other while another worker ran short ones.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from xdist.scheduler import LoadFileScheduling

# Seconds per file in `make test` here (2026-12-02, three workers on two cores, waits for
# the shared builds included): the files that take more than about a minute.
MEASURED_SECONDS = {
    "test_rebuild_equivalence.py": 1500,
    "test_spark_equivalence.py": 900,
    "tests/pipeline/test_own_data.py": 800,
    "test_dagster_runs.py": 600,
    "test_ui.py": 300,
    "test_dbt_unit_tests.py": 165,
    "test_predict.py": 160,
    "test_partition_tests.py": 80,
    "test_pipeline.py": 65,
    "test_metrics_truth.py": 60,
    "test_docs.py": 55,
    "test_semantic_layer.py": 55,
}


def measured_seconds(scope: str) -> int:
    """The measured duration of a test file (its scope, a path from the rootdir), or 0."""
    path = PurePosixPath(scope)
    return MEASURED_SECONDS.get(str(path), MEASURED_SECONDS.get(path.name, 0))


class LongestFirstScheduling(LoadFileScheduling):
    """`--dist loadfile`, the longest files first (see the module's docstring)."""

    def schedule(self) -> None:
        self._starting = self.collection is None
        try:
            super().schedule()
        finally:
            self._starting = False

    def _assign_work_unit(self, node) -> None:
        if not getattr(self, "_sorted", False):
            # Python's sort is stable: files without a measured time keep xdist's order.
            ordered = sorted(self.workqueue.items(), key=lambda item: -measured_seconds(item[0]))
            self.workqueue.clear()
            self.workqueue.update(ordered)
            self._sorted = True
        # A worker's second file at the start is the shortest left; every later one the longest.
        second_at_start = self._starting and bool(self.assigned_work.get(node))
        scope, work_unit = self.workqueue.popitem(last=second_at_start)
        self.assigned_work.setdefault(node, {})[scope] = work_unit
        collection = self.registered_collections[node]
        node.send_runtest_some([collection.index(nodeid) for nodeid, done in work_unit.items() if not done])
