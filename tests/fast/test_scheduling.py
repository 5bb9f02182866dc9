"""The test files reach pytest-xdist's workers longest first (tests/support/scheduling.py)."""

from types import SimpleNamespace

from tests.support.scheduling import LongestFirstScheduling


class Config:
    """The two options xdist's file scheduler reads."""

    def __init__(self, workers: int) -> None:
        self.option = SimpleNamespace(tx=[f"{workers}*popen"], loadscopereorder=True)

    def getvalue(self, name: str):
        return getattr(self.option, name)


class Worker:
    """What the scheduler sees of a worker: the tests it is sent."""

    def __init__(self, name: str) -> None:
        self.gateway = type("Gateway", (), {"id": name})()
        self.sent: list[int] = []
        self.shutting_down = False

    def send_runtest_some(self, indexes: list[int]) -> None:
        self.sent += indexes

    def shutdown(self) -> None:
        self.shutting_down = True


COLLECTION = [
    # Many short tests: xdist's own order would hand these out first.
    *(f"tests/fast/test_landing.py::test_{n}" for n in range(20)),
    *(f"tests/fast/test_cli.py::test_{n}" for n in range(5)),
    "tests/fast/test_layers.py::test_one",
    "tests/pipeline/test_rebuild_equivalence.py::test_one",
    "tests/pipeline/test_spark_equivalence.py::test_one",
    "tests/pipeline/test_ui.py::test_one",
    "tests/pipeline/test_ui.py::test_two",
    "tests/pipeline/test_dagster_runs.py::test_one",
]


def files_sent(worker: Worker) -> list[str]:
    files = [COLLECTION[index].split("::")[0].rsplit("/", 1)[1] for index in worker.sent]
    return list(dict.fromkeys(files))


def test_each_worker_starts_on_a_long_file_and_gets_a_short_one_second():
    scheduler = LongestFirstScheduling(Config(3))
    workers = [Worker(f"gw{n}") for n in range(3)]
    for worker in workers:
        scheduler.add_node(worker)
        scheduler.add_node_collection(worker, COLLECTION)
    scheduler.schedule()
    assert [files_sent(w) for w in workers] == [
        ["test_rebuild_equivalence.py", "test_layers.py"],
        ["test_spark_equivalence.py", "test_cli.py"],
        ["test_dagster_runs.py", "test_landing.py"],
    ]
    # The measured file left (test_ui.py) goes to the first worker that runs low.


def test_a_worker_that_runs_low_gets_the_longest_file_left():
    scheduler = LongestFirstScheduling(Config(2))
    first, second = Worker("gw0"), Worker("gw1")
    for worker in (first, second):
        scheduler.add_node(worker)
        scheduler.add_node_collection(worker, COLLECTION)
    scheduler.schedule()
    assert files_sent(first) == ["test_rebuild_equivalence.py", "test_layers.py"]
    assert files_sent(second) == ["test_spark_equivalence.py", "test_cli.py"]
    rebuild = COLLECTION.index("tests/pipeline/test_rebuild_equivalence.py::test_one")
    scheduler.mark_test_complete(first, rebuild)
    assert files_sent(first)[-1] == "test_dagster_runs.py"
