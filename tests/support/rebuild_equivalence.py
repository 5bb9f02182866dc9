"""The differential check of principle 1: whatever sequence of changes led to a warehouse,
every table equals a from-scratch build of the same inputs.

A `Workspace` holds a copy of the dbt project (so seeds, vars and SQL can be edited), a
landing zone and two warehouse files: `incremental`, which only ever sees the ordinary
command for each change (a seed edit then `dbt build -s "resource_type:seed+"`, a late
landing date then its daily partition run, ...), and `reference`, rebuilt from nothing
after every step. `compare_warehouses` then compares every table and view of every schema,
row for row (floats to a relative 1e-9).

`run_random_steps` draws a seeded random sequence of the changes in `CHANGES`; the test
(tests/pipeline/test_rebuild_equivalence.py) runs a short one, `make soak` a long one on a bigger
sample (`python -m tests.support.rebuild_equivalence --steps 80`).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import hashlib
import io
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from tests.support.commands import ONBOARDING
from tests.support.readme_recipes import EXPECTED, recipes, run_recipe

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
# Columns that say when the loader ran, not what was loaded: a rebuild from scratch loads
# the same files at another time.
LOAD_TIME_COLUMNS = {"loaded_at", "_loaded_at"}
# DuckDB sums floats in parallel in no fixed order: two builds of the same data can differ
# in the last bits of an average.
FLOAT_TOLERANCE = 1e-9
# Data tests and unit tests read tables, they never write one: the steps build without them
# (`make soak` keeps the data tests; unit tests pin the SQL the model edits change).
WITHOUT_TESTS = ["--exclude", "resource_type:test", "resource_type:unit_test"]
WITHOUT_UNIT_TESTS = ["--exclude", "resource_type:unit_test"]


class StepFailed(AssertionError):
    pass


@contextlib.contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """The process environment replaced by `env` for the duration (dbt and the loader read it)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class DbtSession:
    """dbt commands in this process (dbt's start-up paid once), each as its CLI runs it."""

    def __init__(self) -> None:
        from dbt.cli.main import dbtRunner

        self.messages: list[str] = []
        self.runner = dbtRunner(callbacks=[self._keep])

    def _keep(self, event) -> None:
        if event.info.level in ("info", "warn", "error") and event.info.msg:
            self.messages.append(event.info.msg)

    def invoke(self, args: list[str], env: dict[str, str]) -> str:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        self.messages = []
        with environment(env):
            try:
                result = self.runner.invoke(args)
            finally:
                # dbt-duckdb keeps its DuckDB instance open between invocations of one process;
                # close it, so that the loader and the comparison can open the file.
                if DuckDBConnectionManager._ENV is not None:
                    DuckDBConnectionManager._ENV.close()
                    DuckDBConnectionManager._ENV = None
        output = "\n".join(self.messages)
        if not result.success:
            raise StepFailed(f"dbt {' '.join(args)} failed\n{output[-6000:]}\n{result.exception or ''}")
        return output


def load_landing(env: dict[str, str], *args: str) -> None:
    """`onboarding load ...`, in this process."""
    from orchestration.landing.commands import load

    with environment(env), contextlib.redirect_stdout(io.StringIO()) as out:
        try:
            load.main(list(args), prog_name="onboarding load", standalone_mode=False)
        except SystemExit as exc:
            if exc.code:
                raise StepFailed(
                    f"onboarding load {' '.join(args)} exited {exc.code}\n{out.getvalue()}"
                ) from None


def _reference_worker(connection) -> None:
    """A process that rebuilds the reference warehouse from nothing, on request."""
    session = DbtSession()
    while (request := connection.recv()) is not None:
        env, folder, project, args = request
        try:
            shutil.rmtree(folder, ignore_errors=True)
            Path(folder).mkdir(parents=True)
            load_landing(env)
            session.invoke(
                ["build", *args, "--project-dir", project, "--target-path", "target_reference"], env
            )
            connection.send(None)
        except Exception as exc:  # reported to the test, which fails with it
            connection.send(f"reference build failed: {exc}")


class ReferenceBuilder:
    """Rebuilds the reference warehouse in another process, while this one runs the step."""

    def __init__(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_reference_worker, args=(child,), daemon=True)
        self.process.start()
        self.pending = False

    def start(self, ws: Workspace) -> None:
        args = WITHOUT_UNIT_TESTS if ws.with_tests else WITHOUT_TESTS
        folder = ws.warehouse("reference").parent
        self.connection.send((ws.env("reference"), str(folder), str(ws.project), args))
        self.pending = True

    def wait(self) -> None:
        if self.pending:
            self.pending = False
            error = self.connection.recv()
            if error:
                raise StepFailed(error)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.connection.send(None)
        self.process.join(timeout=30)


@dataclass
class Workspace:
    root: Path
    rng: random.Random
    with_tests: bool = False
    settings: dict[str, str] = field(default_factory=dict)
    session: DbtSession | None = None
    reference: ReferenceBuilder | None = None
    # The reference build of a step starts with the step's first command: its inputs are final.
    reference_started: bool = True
    # The inputs the reference was last built from (input_signature): a step that changed
    # none (a re-run, a table an older version left) keeps it instead of rebuilding it.
    reference_inputs: str | None = None
    # README recipes still to run: the first change of their kind runs the recipe, literally.
    pending_recipes: set[str] = field(default_factory=set)
    last_log: str = ""
    killed_runs: bool = False

    @property
    def project(self) -> Path:
        return self.root / "project"

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    def warehouse(self, name: str) -> Path:
        return self.root / name / "onboarding.duckdb"

    def env(self, name: str, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ONBOARDING_")}
        env.update(
            ONBOARDING_DATA_DIR=str(self.landing),
            ONBOARDING_WAREHOUSE=str(self.warehouse(name)),
            ONBOARDING_TEMP_DIR=str(self.root / "tmp"),
            ONBOARDING_DUCKDB_THREADS="1",
            DBT_PROFILES_DIR=str(REPO_ROOT),
            DO_NOT_TRACK="1",
            **self.settings,
            **extra,
        )
        return env

    # --- the commands a user runs ----------------------------------------------------

    def _command_starts(self) -> None:
        if not self.reference_started:
            self.reference_started = True
            if self.reference is not None and (inputs := input_signature(self)) != self.reference_inputs:
                self.reference.start(self)
                self.reference_inputs = inputs

    def load(self, name: str = "incremental", *args: str) -> None:
        """`onboarding load ...` (what `make load` runs)."""
        self._command_starts()
        self.warehouse(name).parent.mkdir(parents=True, exist_ok=True)
        load_landing(self.env(name), *args)

    def dbt(self, *args: str, name: str = "incremental", **extra: str) -> str:
        """A dbt command on the project copy; returns its log."""
        self._command_starts()
        command = [*args, "--project-dir", str(self.project), "--target-path", f"target_{name}"]
        if args[0] == "build":
            command += WITHOUT_UNIT_TESTS if self.with_tests else WITHOUT_TESTS
        if self.session is None:
            self.session = DbtSession()
        self.last_log = self.session.invoke(command, self.env(name, **extra))
        return self.last_log

    def build(self, *selection: str, **extra: str) -> str:
        return self.dbt("build", *selection, **extra)

    def recipe(self, name: str) -> str | None:
        """Run the README recipe `name` in the project checkout if it is still pending, as a
        user would in a fresh shell pointed at this landing zone and warehouse; None if not."""
        if name not in self.pending_recipes:
            return None
        self.pending_recipes.discard(name)
        # A recipe edits the files and runs its command in one script: the reference build
        # starts after it (step() starts it), when the inputs are final.
        settings = {
            "ONBOARDING_DATA_DIR": str(self.landing),
            "ONBOARDING_WAREHOUSE": str(self.warehouse("incremental")),
            "ONBOARDING_TEMP_DIR": str(self.root / "tmp"),
            **self.settings,
        }
        run_recipe(name, self.project, settings, self.root / "home")
        return f"README recipe {name}"

    def daily_run(self, day: dt.date) -> None:
        """What Dagster's daily job does for one landing date: load that partition of the
        events, build the event models for that date, then everything else."""
        self.load("incremental", "--table", "events", "--partition", f"date={day.isoformat()}")
        day_range = {
            "ONBOARDING_PARTITION_START": day.isoformat(),
            "ONBOARDING_PARTITION_END": day.isoformat(),
        }
        self.build("-s", "tag:landing_date_partitioned", **day_range)
        self.build("--exclude", "tag:landing_date_partitioned")

    def backfill(self, first: dt.date, last: dt.date) -> None:
        """A single-run backfill of a range of landing dates, as Dagster runs it."""
        partitions = [f"date={d.isoformat()}" for d in days_between(first, last)]
        self.load("incremental", "--table", "events", *(a for p in partitions for a in ("--partition", p)))
        dates = {
            "ONBOARDING_PARTITION_START": first.isoformat(),
            "ONBOARDING_PARTITION_END": last.isoformat(),
        }
        self.build(**dates)

    def rebuild_reference(self) -> None:
        """The warehouse a from-scratch build of the same inputs gives (in this process)."""
        folder = self.warehouse("reference").parent
        shutil.rmtree(folder, ignore_errors=True)
        self.load("reference")
        self.dbt("build", name="reference")

    def step(
        self, change: Callable[[Workspace], str], ignored: set[str] = frozenset()
    ) -> tuple[str, list[str]]:
        """One change and its command, the reference rebuilt meanwhile; the differences."""
        self.reference_started = False
        what = change(self)
        self._command_starts()  # a change that ran no command (none does) still compares
        if self.reference is not None:
            self.reference.wait()
        else:
            self.rebuild_reference()
        return what, compare_warehouses(self.warehouse("incremental"), self.warehouse("reference"), ignored)

    # --- the inputs ----------------------------------------------------------------

    def landed_dates(self) -> list[dt.date]:
        return sorted(
            dt.date.fromisoformat(p.name.removeprefix("date="))
            for p in (self.landing / "events").iterdir()
            if p.name.startswith("date=")
        )

    def read_seed(self, name: str) -> tuple[list[str], list[dict[str, str]]]:
        with open(self.project / "seeds" / f"{name}.csv", newline="") as handle:
            reader = csv.DictReader(handle)
            return list(reader.fieldnames or []), list(reader)

    def write_seed(self, name: str, header: list[str], rows: list[dict[str, str]]) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        (self.project / "seeds" / f"{name}.csv").write_text(buffer.getvalue())

    def edit_file(self, relpath: str, old: str, new: str) -> None:
        path = self.project / relpath
        text = path.read_text()
        if old not in text:
            raise StepFailed(f"{relpath} does not contain {old!r}")
        path.write_text(text.replace(old, new, 1))


def input_signature(ws: Workspace) -> str:
    """A digest of everything a from-scratch build reads: the project's dbt files (models,
    macros, seeds, dbt tests, its configuration), the landing zone and the settings. With
    each file's modification time: the loader's file signatures (raw._load_log) hold it."""
    digest = hashlib.sha256(repr(sorted(ws.settings.items())).encode())
    files = [ws.project / "dbt_project.yml", ws.project / "profiles.yml"]
    for folder in (ws.project / "models", ws.project / "macros", ws.project / "seeds",
                   ws.project / "tests" / "dbt", ws.landing):  # fmt: skip
        files += sorted(path for path in folder.rglob("*") if path.is_file())
    for path in files:
        content = path.read_bytes()
        digest.update(f"{path.relative_to(ws.root)}\0{path.stat().st_mtime_ns}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def run(command: list[str], env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise StepFailed(
            f"{' '.join(command)} exited {result.returncode}\n"
            f"{result.stdout[-5000:]}\n{result.stderr[-3000:]}"
        )
    return result.stdout


def days_between(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def create_workspace(
    root: Path, sample: Path, seed: int, with_tests: bool = False, recipes: bool = False
) -> Workspace:
    """A workspace over a copy of a generated landing zone (its `_truth` is left out) and a
    checkout of the project (every tracked file, and the virtualenv); with `recipes`, the
    README recipes run as the first change of their kind."""
    ws = Workspace(root=root, rng=random.Random(seed), with_tests=with_tests)
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        source = REPO_ROOT / name
        if source.is_file():
            (ws.project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, ws.project / name)
    (ws.project / ".venv").symlink_to(REPO_ROOT / ".venv")
    if not with_tests:
        # Column comments are not data: without them each build is seconds shorter.
        ws.edit_file(
            "dbt_project.yml", "relation: true\n      columns: true", "relation: false\n      columns: false"
        )
    if recipes:
        ws.pending_recipes = EXPECTED - {"shell-setup", "publish"}
    shutil.copytree(sample, ws.landing, ignore=shutil.ignore_patterns("_truth"))
    ws.load()
    ws.build()
    return ws


# --- comparing two warehouses ------------------------------------------------------------


def _relations(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, str]:
    rows = con.execute(
        "select table_schema || '.' || table_name, table_type from information_schema.tables "
        "where table_catalog = ? and table_schema not like '%dbt_test__audit' order by 1",
        [catalog],
    ).fetchall()
    return dict(rows)


def _columns(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[tuple[str, str]]]:
    """Each relation's columns and types, in order."""
    columns: dict[str, list[tuple[str, str]]] = {}
    for relation, name, data_type in con.execute(
        "select table_schema || '.' || table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? order by table_schema, table_name, ordinal_position",
        [catalog],
    ).fetchall():
        columns.setdefault(relation, []).append((name, data_type))
    return columns


def _sort_key(row: tuple) -> str:
    return repr(tuple(f"{v:.6g}" if isinstance(v, float) else v for v in row))


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=FLOAT_TOLERANCE)
    return a == b


# The incremental models' bookkeeping (what a run compares to decide what to rebuild).
BOOKKEEPING_COLUMNS = {"_inputs_fingerprint", "_account_signature", "row_hash"}


def _equal_in_sql(con: duckdb.DuckDBPyConnection, relation: str, kept: str) -> bool:
    """True when both sides hold the same rows exactly (a multiset difference, both ways, in
    DuckDB): the quick path. False sends the relation to the row-by-row comparison, which
    allows floats their tolerance and names the differing rows."""
    sides = [f"select {kept} from {side}.{relation}" for side in ("incremental", "reference")]
    try:
        (different,) = con.execute(
            f"select (select count(*) from ({sides[0]} except all {sides[1]})) "
            f"+ (select count(*) from ({sides[1]} except all {sides[0]}))"
        ).fetchone()
    except duckdb.Error:  # a column type set operations cannot compare
        return False
    return different == 0


def compare_warehouses(
    incremental: Path, reference: Path, ignored: set[str] = frozenset(), only_one: set[str] = frozenset()
) -> list[str]:
    """Every difference between two warehouses: relations (but the `only_one` relations,
    which one path writes and the other does not), columns and types, rows (but the
    load-time columns, and the `ignored` ones)."""
    differences = []
    with duckdb.connect() as con:
        con.execute(f"attach '{incremental}' as incremental (read_only)")
        con.execute(f"attach '{reference}' as reference (read_only)")
        left, right = _relations(con, "incremental"), _relations(con, "reference")
        left = {name: kind for name, kind in left.items() if name not in only_one}
        right = {name: kind for name, kind in right.items() if name not in only_one}
        if left != right:
            differences.append(
                f"relations differ: only incremental {sorted(set(left) - set(right))}, "
                f"only reference {sorted(set(right) - set(left))}"
            )
        left_columns, right_columns = _columns(con, "incremental"), _columns(con, "reference")
        for relation in sorted(set(left) & set(right)):
            columns = left_columns[relation]
            if columns != right_columns[relation]:
                differences.append(f"{relation}: columns differ")
                continue
            skipped = LOAD_TIME_COLUMNS | set(ignored)
            kept = ", ".join(f'"{name}"' for name, _ in columns if name not in skipped)
            if not kept:
                continue
            if _equal_in_sql(con, relation, kept):
                continue
            rows = {
                side: sorted(con.execute(f"select {kept} from {side}.{relation}").fetchall(), key=_sort_key)
                for side in ("incremental", "reference")
            }
            a, b = rows["incremental"], rows["reference"]
            if len(a) != len(b) or not all(
                all(_same(x, y) for x, y in zip(ra, rb, strict=True)) for ra, rb in zip(a, b, strict=True)
            ):
                only_a = [r for r in a if r not in b][:3]
                only_b = [r for r in b if r not in a][:3]
                differences.append(
                    f"{relation}: {len(a)} rows vs {len(b)} in a full rebuild; "
                    f"e.g. only incremental {only_a}, only rebuild {only_b}"
                )
    return differences


def relation_count(warehouse: Path) -> int:
    with duckdb.connect() as con:
        con.execute(f"attach '{warehouse}' as w (read_only)")
        return len(_relations(con, "w"))


# --- the changes ----------------------------------------------------------------------
# Each applies one change to the inputs and runs, on the incremental warehouse, the
# command a user runs for it; it returns what it did.


def edit_milestones(ws: Workspace) -> str:
    if done := ws.recipe("add-a-milestone"):
        return done
    header, rows = ws.read_seed("milestones")
    segment = ws.rng.choice(sorted({r["segment"] for r in rows}))
    own = [r for r in rows if r["segment"] == segment]
    kind = ws.rng.choice(["add", "expected_by_day", "min_count", "first_value"])
    if kind == "add" and len(own) < 8:
        event = ws.rng.choice(["dashboard_shared", "report_exported", "user_invited", "sso_configured"])
        rows.append(
            {
                **{k: "" for k in header},
                "segment": segment,
                "step_number": str(max(int(r["step_number"]) for r in own) + 1),
                "milestone_name": f"added_{event}_{ws.rng.randint(1, 999)}",
                "event_name": event,
                "min_count": str(ws.rng.randint(1, 2)),
                "expected_by_day": str(ws.rng.randint(3, 30)),
                "is_activation": "false",
                "is_first_value": "false",
            }
        )
        what = f"a milestone ({event}) added to {segment}"
    elif kind == "min_count":
        row = ws.rng.choice(own)
        row["min_count"] = str(ws.rng.randint(1, 3))
        what = f"min_count of {segment}/{row['milestone_name']} set to {row['min_count']}"
    elif kind == "first_value":
        for row in own:
            row["is_first_value"] = "false"
        chosen = ws.rng.choice(own)
        chosen["is_first_value"] = "true"
        what = f"first-value milestone of {segment} moved to {chosen['milestone_name']}"
    else:
        row = ws.rng.choice(own)
        row["expected_by_day"] = str(ws.rng.randint(1, 20))
        what = f"expected_by_day of {segment}/{row['milestone_name']} set to {row['expected_by_day']}"
    ws.write_seed("milestones", header, rows)
    ws.build("-s", "resource_type:seed+")
    return f"seed milestones: {what}; dbt build -s resource_type:seed+"


def add_segment(ws: Workspace) -> str:
    return ws.recipe("add-a-segment") or edit_segments(ws)


def edit_segments(ws: Workspace) -> str:
    if done := ws.recipe("change-a-window"):
        return done
    header, rows = ws.read_seed("segments")
    row = ws.rng.choice(rows)
    window = ws.rng.randint(5, 40)
    row["activation_window_days"] = str(window)
    row["onboarding_period_days"] = str(window + ws.rng.randint(0, 30))
    ws.write_seed("segments", header, rows)
    ws.build()
    return f"seed segments: {row['segment']} window {window} days; dbt build"


def edit_funnels(ws: Workspace) -> str:
    header, rows = ws.read_seed("funnels")
    row = ws.rng.choice(rows)
    row["conversion_window_seconds"] = str(ws.rng.choice([3600, 86400, 259200, 604800, 1209600]))
    ws.write_seed("funnels", header, rows)
    ws.build("-s", "resource_type:seed+")
    return f"seed funnels: {row['funnel_name']} window {row['conversion_window_seconds']} s"


def edit_funnel_steps(ws: Workspace) -> str:
    if done := ws.recipe("add-a-funnel"):
        return done
    header, rows = ws.read_seed("funnel_steps")
    # A funnel with exclusions keeps its steps (removing the step an exclusion
    # ends at is a configuration error, which the seed test reports).
    excluded = {r["funnel_name"] for r in ws.read_seed("funnel_exclusions")[1]}
    funnel = ws.rng.choice(sorted({r["funnel_name"] for r in rows} - excluded))
    own = [r for r in rows if r["funnel_name"] == funnel]
    if len(own) < 5 and ws.rng.random() < 0.6:
        event = ws.rng.choice(["dashboard_shared", "user_invited", "workflow_run", "login"])
        rows.append({"funnel_name": funnel, "step_number": str(len(own) + 1), "event_name": event})
        what = f"step {len(own) + 1} ({event}) added to {funnel}"
    elif len(own) > 2:
        rows.remove(max(own, key=lambda r: int(r["step_number"])))
        what = f"last step of {funnel} removed"
    else:
        own[-1]["event_name"] = ws.rng.choice(["dashboard_shared", "workflow_run"])
        what = f"last step of {funnel} is now {own[-1]['event_name']}"
    ws.write_seed("funnel_steps", header, rows)
    ws.build("-s", "resource_type:seed+")
    return f"seed funnel_steps: {what}"


def edit_taxonomy(ws: Workspace) -> str:
    header, rows = ws.read_seed("event_taxonomy")
    row = ws.rng.choice(rows)
    categories = sorted({r["category"] for r in rows} - {row["category"]})
    row["category"] = ws.rng.choice(categories)
    ws.write_seed("event_taxonomy", header, rows)
    ws.build()
    return f"seed event_taxonomy: {row['event_name']} is now {row['category']}"


def edit_small_seed(ws: Workspace) -> str:
    """at_risk_rules, experiment_variants or metric_targets: a number changed."""
    name = ws.rng.choice(["at_risk_rules", "experiment_variants", "metric_targets"])
    header, rows = ws.read_seed(name)
    row = ws.rng.choice(rows)
    numeric = [k for k, v in row.items() if _is_number(v) and k not in ("step_number",)]
    column = ws.rng.choice(numeric)
    if name == "experiment_variants":
        # The planned shares add up to 1: move some share between the two arms.
        shift = ws.rng.choice([0.05, 0.1])
        for other in rows:
            other[column] = (
                f"{float(other[column]) + (shift if other is row else -shift / (len(rows) - 1)):.4g}"
            )
    elif "." in row[column]:
        row[column] = f"{float(row[column]) * ws.rng.choice([0.8, 1.25]):.4g}"
    else:
        row[column] = str(max(1, int(row[column]) + ws.rng.choice([-1, 1, 2])))
    ws.write_seed(name, header, rows)
    ws.build("-s", "resource_type:seed+")
    return f"seed {name}: {column} of one row is now {row[column]}"


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


VARS = {
    "dedupe_lookback_days": [3, 7, 10],
    "max_clock_skew_hours": [6, 24, 48],
    "session_inactivity_minutes": [15, 30, 45],
    "retention_weeks": [8, 12],
    "signup_abandonment_days": [5, 7, 10],
    "feature_adoption_days": [14, 30],
    "discovery_window_days": [21, 30],
}


def edit_var(ws: Workspace) -> str:
    name = ws.rng.choice(sorted(VARS))
    path = ws.project / "dbt_project.yml"
    lines = path.read_text().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{name}:"))
    value = ws.rng.choice(VARS[name])
    lines[index] = f"  {name}: {value}\n"
    path.write_text("".join(lines))
    ws.build()
    return f"var {name} set to {value}; dbt build"


# A model edit and its inverse: applying one toggles the model between two versions.
MODEL_EDITS = [
    (
        "models/intermediate/engagement/int_account_weekly_usage.sql",
        "event_category not in ('outreach', 'system')",
        "event_category not in ('outreach', 'system', 'navigation')",
    ),
    (
        "models/intermediate/funnels/int_funnel_attempt_steps.sql",
        "<= conversion_window_seconds",
        "< conversion_window_seconds",
    ),
    ("models/staging/stg_events.sql", ">= 86400 as is_late_arrival", ">= 43200 as is_late_arrival"),
    (
        "models/staging/base/base_events.sql",
        "{{ clean_text('user_id') }} as user_id",
        "lower({{ clean_text('user_id') }}) as user_id",
    ),
    (
        "models/intermediate/onboarding/int_account_milestones.sql",
        "where occurrence_number = min_count",
        "where occurrence_number = min_count + 1",
    ),
]


def edit_model(ws: Workspace) -> str:
    relpath, old, new = ws.rng.choice(MODEL_EDITS)
    text = (ws.project / relpath).read_text()
    if old in text:
        ws.edit_file(relpath, old, new)
    else:
        ws.edit_file(relpath, new, old)
    model = Path(relpath).stem
    if ws.rng.random() < 0.5:
        ws.build("-s", f"{model}+")
        command = f"dbt build -s {model}+"
    else:
        ws.build()
        command = "dbt build"
    return f"model SQL: {model} edited; {command}"


def _events_of(ws: Workspace, day: dt.date) -> Path:
    folder = ws.landing / "events" / f"date={day.isoformat()}"
    return sorted(p for p in folder.iterdir() if p.suffix == ".parquet")[0]


def land_late_events(ws: Workspace) -> str:
    """A new landing date holding events that occurred days before (and a few re-deliveries)."""
    last = ws.landed_dates()[-1]
    # Re-delivered copies come from the last two landing dates: within the smallest
    # dedupe_lookback_days the var edits set, as the contract asks.
    source = _events_of(ws, ws.rng.choice(ws.landed_dates()[-2:]))
    day = last + dt.timedelta(days=1)
    folder = ws.landing / "events" / f"date={day.isoformat()}"
    folder.mkdir()
    tag = ws.rng.randint(0, 10**6)
    with duckdb.connect() as con:
        con.execute(
            f"""
            copy (
                select
                    case when random() < 0.2 then event_id else event_id || '_late{tag}' end as event_id,
                    account_id, user_id, event_name,
                    strftime(try_cast(occurred_at as timestamp) - interval (1 + floor(random() * 5)) day,
                             '%Y-%m-%d %H:%M:%S.%g') as occurred_at,
                    '{day} 09:00:00' as received_at,
                    properties
                from read_parquet('{source}')
                where random() < 0.3
            ) to '{folder / "late.parquet"}' (format parquet)
            """
        )
    if ws.rng.random() < 0.5:
        ws.daily_run(day)
        _only_changed_accounts_recomputed(ws, day)
        return f"late events landed on {day}; the daily run for {day}, recomputing only their accounts"
    ws.load()
    ws.build()
    return f"late events landed on {day}; make build (load, dbt build)"


def _only_changed_accounts_recomputed(ws: Workspace, day: dt.date) -> None:
    """The daily run's log: the usage model recomputed exactly the accounts with staged
    events on the new landing date (it reads every event of an account), not all of them."""
    with duckdb.connect(str(ws.warehouse("incremental")), read_only=True) as con:
        (moved,) = con.execute(
            "select count(distinct account_id) from staging.stg_events where landing_date = ?", [day]
        ).fetchone()
        (accounts,) = con.execute("select count(*) from intermediate.int_accounts").fetchone()
    if ws.killed_runs:
        return  # a killed run may have recomputed them already: the re-run has less to do
    said = re.search(r"int_account_weekly_usage: recomputing (\d+) of (\d+) accounts", ws.last_log)
    if said:
        if (int(said[1]), int(said[2])) != (moved, accounts) or moved >= accounts:
            raise StepFailed(
                f"the daily run recomputed {said[1]} of {said[2]} accounts, not the {moved} that moved"
            )
    elif not re.search(r"int_account_weekly_usage: .*: recomputing all", ws.last_log):
        raise StepFailed(f"the daily run did not say what it recomputed:\n{ws.last_log[-3000:]}")


def redeliver_date(ws: Workspace) -> str:
    """A landing date delivered again: the same rows, some changed, or some removed."""
    day = ws.rng.choice(ws.landed_dates())
    path = _events_of(ws, day)
    kind = ws.rng.choice(["same", "changed", "removed"])
    change = {
        "same": "select * from rows",
        "changed": "select * replace (case when random() < 0.2 then 'workflow_run' else event_name end "
        "as event_name) from rows",
        "removed": "select * from rows where random() < 0.7",
    }[kind]
    with duckdb.connect() as con:
        con.execute(f"create table rows as select * from read_parquet('{path}')")
        con.execute(f"copy ({change}) to '{path}.new' (format parquet)")
    Path(f"{path}.new").replace(path)
    if ws.rng.random() < 0.5:
        ws.daily_run(day)
        command = f"the daily run for {day}"
    else:
        ws.load()
        ws.build()
        command = "make build"
    return f"landing date {day} re-delivered ({kind} rows); {command}"


def delete_landing_date(ws: Workspace) -> str:
    day = ws.rng.choice(ws.landed_dates()[1:])
    shutil.rmtree(ws.landing / "events" / f"date={day.isoformat()}")
    ws.load()
    ws.build()
    return f"landing folder date={day} deleted; make build"


def backfill_out_of_order(ws: Workspace) -> str:
    """An old range re-delivered (files rewritten) and backfilled in one run."""
    if "backfill" in ws.pending_recipes:
        # The recipe's dates, re-delivered (the sample starts on 2026-01-01).
        for day in ("2026-02-01", "2026-02-02"):
            for path in (ws.landing / "events" / f"date={day}").glob("*"):
                os.utime(path, None)
        return ws.recipe("backfill") or ""
    dates = ws.landed_dates()
    start = ws.rng.randrange(0, max(1, len(dates) - 5))
    first, last = dates[start], dates[min(len(dates) - 1, start + ws.rng.randint(1, 6))]
    for day in days_between(first, last):
        folder = ws.landing / "events" / f"date={day.isoformat()}"
        if folder.is_dir():
            for path in folder.iterdir():
                os.utime(path, None)
    ws.backfill(first, last)
    return f"backfill of {first} .. {last} (files re-delivered), one run"


def replace_accounts(ws: Workspace) -> str:
    path = next((ws.landing / "accounts").glob("*.parquet"))
    with duckdb.connect() as con:
        con.execute(f"create table accounts as select * from read_parquet('{path}')")
        ids = [r[0] for r in con.execute("select account_id from accounts order by account_id").fetchall()]
        moved, resegmented, removed = ws.rng.sample(ids, 3)
        con.execute(
            "update accounts set signed_up_at = strftime(try_cast(signed_up_at as timestamp) "
            "+ interval (? ) hour, '%Y-%m-%d %H:%M:%S') where account_id = ?",
            [ws.rng.choice([-30, -2, 3, 50]), moved],
        )
        con.execute(
            "update accounts set segment = ? where account_id = ?",
            [ws.rng.choice(["smb", "enterprise", "mid_market", "startup"]), resegmented],
        )
        if ws.rng.random() < 0.5:
            con.execute("delete from accounts where account_id = ?", [removed])
        con.execute(f"copy accounts to '{path}.new' (format parquet)")
    Path(f"{path}.new").replace(path)
    ws.load()
    ws.build()
    return (
        f"accounts file replaced ({moved} signed up at another time, {resegmented} re-segmented, "
        f"maybe {removed} removed); make build"
    )


def replace_subscriptions_or_surveys(ws: Workspace) -> str:
    table = ws.rng.choice(["subscriptions", "surveys"])
    path = next((ws.landing / table).glob("*.parquet"))
    change = {
        "subscriptions": "select * replace (case when random() < 0.2 then round(mrr * 1.5, 2) else mrr end "
        "as mrr) from rows where random() < 0.95",
        "surveys": "select * from rows where random() < 0.9",
    }[table]
    with duckdb.connect() as con:
        con.execute(f"create table rows as select * from read_parquet('{path}')")
        con.execute(f"copy ({change}) to '{path}.new' (format parquet)")
    Path(f"{path}.new").replace(path)
    ws.load()
    ws.build()
    return f"{table} file replaced (rows changed and removed); make build"


def new_as_of(ws: Workspace) -> str:
    if "replay-as-of" in ws.pending_recipes:
        # The reference replays the same instant: what the recipe sets for its command.
        (instant,) = re.findall(r'ONBOARDING_AS_OF="([^"]+)"', recipes()["replay-as-of"])
        ws.settings["ONBOARDING_AS_OF"] = instant
        return ws.recipe("replay-as-of") or ""
    dates = ws.landed_dates()
    if "ONBOARDING_AS_OF" in ws.settings and ws.rng.random() < 0.5:
        del ws.settings["ONBOARDING_AS_OF"]
        what = "unset"
    else:
        day = ws.rng.choice(dates[len(dates) // 2 :])
        ws.settings["ONBOARDING_AS_OF"] = f"{day} 23:59:59.999"
        what = ws.settings["ONBOARDING_AS_OF"]
    ws.build()
    return f"ONBOARDING_AS_OF {what}; dbt build"


def killed_and_rerun(ws: Workspace) -> str:
    """A change, a `dbt build` killed part-way (SIGKILL), then the same command again."""
    inner = ws.rng.choice([edit_milestones, edit_taxonomy, land_late_events, replace_accounts])
    original_build = ws.build
    killed_after = ws.rng.uniform(2.0, 9.0)

    def killed_build(*selection: str, **extra: str) -> str:
        ws._command_starts()
        command = [str(Path(sys.executable).parent / "dbt"), "build", *selection]
        command += ["--project-dir", str(ws.project), "--target-path", "target_incremental", *WITHOUT_TESTS]
        process = subprocess.Popen(
            command,
            env=ws.env("incremental", **extra),
            cwd=ws.project,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(killed_after)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return original_build(*selection, **extra)

    ws.build = killed_build  # type: ignore[method-assign]
    ws.killed_runs = True
    try:
        what = inner(ws)
    finally:
        ws.build = original_build  # type: ignore[method-assign]
        ws.killed_runs = False
    return f"{what}; its dbt build killed after {killed_after:.1f} s, then run again"


def older_version_table(ws: Workspace) -> str:
    """An account-level table as an older version of the project left it (no fingerprint
    column, rows missing): an ordinary run rebuilds it whole, saying why."""
    with duckdb.connect(str(ws.warehouse("incremental"))) as con:
        con.execute("alter table intermediate.int_account_milestones drop column _inputs_fingerprint")
        con.execute("delete from intermediate.int_account_milestones where step_number = 1")
    log = ws.build()
    if "int_account_milestones: its table was built by an older version of the project" not in log:
        raise StepFailed(f"the rebuild of an older table did not say why:\n{log[-3000:]}")
    return "int_account_milestones as an older version left it; dbt build"


def rerun(ws: Workspace) -> str:
    ws.build()
    return "nothing changed; dbt build again"


CHANGES: list[Callable[[Workspace], str]] = [
    edit_milestones,
    add_segment,
    edit_segments,
    edit_funnels,
    edit_funnel_steps,
    edit_taxonomy,
    edit_small_seed,
    edit_var,
    edit_model,
    land_late_events,
    redeliver_date,
    delete_landing_date,
    backfill_out_of_order,
    replace_accounts,
    replace_subscriptions_or_surveys,
    new_as_of,
    killed_and_rerun,
    older_version_table,
    rerun,
]


def run_random_steps(ws: Workspace, steps: int, report: Callable[[str], None] = print) -> list[str]:
    """`steps` random changes, each followed by its command and the comparison with a
    full rebuild; every kind of change comes once before any comes twice."""
    order: list[Callable[[Workspace], str]] = []
    done = []
    for number in range(1, steps + 1):
        if not order:
            order = list(CHANGES)
            ws.rng.shuffle(order)
        change = order.pop()
        started = time.monotonic()
        what, differences = ws.step(change)
        line = f"step {number}: {what} ({time.monotonic() - started:.0f} s)"
        report(line)
        done.append(line)
        if differences:
            raise StepFailed("\n".join([*done, "differs from a full rebuild:", *differences]))
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.rebuild_equivalence", description=__doc__)
    parser.add_argument("--steps", type=int, default=80)
    parser.add_argument("--accounts", type=int, default=150)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=REPO_ROOT / "target" / "soak")
    args = parser.parse_args(argv)
    shutil.rmtree(args.dir, ignore_errors=True)
    sample = args.dir / "sample"
    run(
        [
            ONBOARDING,
            "sample",
            "generate",
            "--accounts",
            str(args.accounts),
            "--days",
            str(args.days),
            "--seed",
            str(args.seed),
            "--out",
            str(sample),
            "--quiet",
        ],
        dict(os.environ),
        cwd=REPO_ROOT,
    )
    ws = create_workspace(args.dir / "work", sample, args.seed, with_tests=True)
    ws.rebuild_reference()
    tables = relation_count(ws.warehouse("reference"))
    ws.reference = ReferenceBuilder()
    try:
        run_random_steps(ws, args.steps)
    finally:
        ws.reference.close()
    print(f"{args.steps} random steps, each compared with a full rebuild on {tables} tables and views: equal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
