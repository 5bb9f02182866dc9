"""A job run on the command line as a product would show it: `onboarding run JOB`.

`dagster job execute` prints every event of a run (one line per dbt model and test:
about a thousand lines for the demo) and nothing while a long step works. This command
runs the same `dagster job execute` with its whole output in a log file (the path is
printed first), follows the run in the Dagster instance (DAGSTER_HOME) and prints:

- one line per step when it ends: what it did, its duration, its assets and checks;
- while a step runs, a progress line every PROGRESS_SECONDS (in place on a terminal):
  assets materialized and checks evaluated so far;
- at the end, the checks that did not pass, grouped by check, with the dates and the
  check's own words, and why the expected ones fire on the sample.

The lines come from Dagster's events (`StageLog.add`), so what a test reads of an
in-process run is what the command prints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import click

from orchestration.lib import REPO_ROOT

PROGRESS_SECONDS = 15
RUN_TAG = "onboarding/console_run"
QUIET_CONFIG = REPO_ROOT / "orchestration" / "run_config" / "quiet.yaml"
# What each step of the build does, in the words of the README's layers.
STAGES = {
    "raw__events": "load: the landing files of every date -> raw.events",
    "raw_tables": "load: accounts, subscriptions, surveys -> raw",
    "onboarding_dbt_upstream": "dbt: seeds and staging of accounts, subscriptions, surveys",
    "onboarding_dbt_daily": "dbt: events staged per landing date (base_events, stg_events)",
    "onboarding_dbt": "dbt: intermediate models, facts and KPI marts",
    "events_drift_checks": "checks: drift of every landing date (8 checks a date)",
    "serving__snapshot": "publish: the serving snapshot for BI (DuckDB + Parquet)",
    "serving__dashboards": "publish: the BI starter's dashboards on the snapshot",
    "serving__status_pages": "publish: the onboarding status page of every account",
    "alerts__at_risk_outbox": "alerts: new at-risk alerts to the outbox",
}
# Why a check fires on the generated sample, where it is expected to.
EXPECTED_ON_SAMPLE = {
    "drift_volume": (
        "expected on the demo sample: it signs up about one account a day, so a day's events "
        "come from 10 to 25 accounts in its first months and one busy (or quiet) account moves "
        "the day's volume several-fold; on steady real volumes the check stays quiet "
        "(threshold: config/drift_checks.yml, volume.min_ratio)"
    ),
}


def check_status(evaluation) -> str:
    """passed, warned (a warn-severity check that did not pass) or failed."""
    if evaluation.passed:
        return "passed"
    return "warned" if evaluation.severity.value == "WARN" else "failed"


def stage_name(step_key: str) -> str:
    if step_key in STAGES:
        return STAGES[step_key]
    if step_key.startswith("reports"):
        return f"reports: {step_key.split('__')[-1].replace('_', ' ')}"
    return step_key


def duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


@dataclass
class Step:
    key: str
    started: float | None = None
    ended: bool = False
    assets: int = 0
    checks: Counter = field(default_factory=Counter)


@dataclass
class StageLog:
    """Dagster events in, the console's lines out (`add` returns the lines an event makes)."""

    steps: dict[str, Step] = field(default_factory=dict)
    not_passed: dict[tuple[str, str], list[tuple[str | None, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    outcome: str | None = None

    def add(self, event, timestamp: float | None = None) -> list[str]:
        kind = event.event_type_value
        step = self.steps.setdefault(event.step_key, Step(event.step_key)) if event.step_key else None
        if kind == "STEP_START" and step:
            step.started = timestamp
        elif kind == "ASSET_MATERIALIZATION" and step:
            step.assets += 1
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            status = check_status(evaluation)
            if step:
                step.checks[status] += 1
            if not evaluation.passed:
                self.not_passed[(evaluation.check_name, status)].append(
                    (evaluation.partition, evaluation.description or "")
                )
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and step:
            step.ended = True
            data = event.event_specific_data
            seconds = (getattr(data, "duration_ms", None) or 0) / 1000
            if not seconds and step.started and timestamp:
                seconds = timestamp - step.started
            mark = "ok" if kind == "STEP_SUCCESS" else "FAILED"
            return [f"  {mark:6} {stage_name(step.key):68} {duration(seconds):>8}   {self._counts(step)}"]
        elif kind in ("RUN_SUCCESS", "RUN_FAILURE"):
            self.outcome = "succeeded" if kind == "RUN_SUCCESS" else "FAILED"
        return []

    @staticmethod
    def _counts(step: Step) -> str:
        parts = []
        if step.assets:
            parts.append(f"{step.assets} materializations")
        if step.checks:
            checks = ", ".join(f"{n} {status}" for status, n in sorted(step.checks.items()))
            parts.append(f"checks: {checks}")
        return "; ".join(parts)

    def progress(self, now: float) -> str | None:
        """The running step's progress so far (None when no step runs)."""
        running = [s for s in self.steps.values() if s.started is not None and not s.ended]
        if not running:
            return None
        step = running[-1]
        checks = sum(step.checks.values())
        return (
            f"  ...    {stage_name(step.key)}: {duration(now - step.started)}, "
            f"{step.assets} materializations, {checks} checks so far"
        )

    def summary(self, shown_dates: int = 4) -> list[str]:
        """The checks that did not pass: per check, how many dates, the first few in the
        check's own words, and why it is expected on the sample where it is."""
        total = Counter()
        for step in self.steps.values():
            total.update(step.checks)
        lines = [
            "checks: " + (", ".join(f"{n} {status}" for status, n in sorted(total.items())) or "none ran")
        ]
        for (check, status), found in sorted(self.not_passed.items()):
            lines.append(f"  {status}: {check} on {len(found)} date(s)")
            for partition, words in sorted(found, key=lambda f: f[0] or "")[:shown_dates]:
                lines.append(f"    {partition or '-'}: {words}")
            if len(found) > shown_dates:
                more = len(found) - shown_dates
                lines.append(f"    ... and {more} more (Dagster UI: the check's Partitions)")
            if check in EXPECTED_ON_SAMPLE:
                lines.append(f"    ({EXPECTED_ON_SAMPLE[check]})")
        return lines


def _find_run(instance, marker: str):
    from dagster import RunsFilter

    runs = instance.get_runs(filters=RunsFilter(tags={RUN_TAG: marker}), limit=1)
    return runs[0] if runs else None


def follow(instance, process: subprocess.Popen, marker: str, echo, interactive: bool) -> StageLog:
    """Print the run's stage lines while `process` runs it; the log of what was seen."""
    log = StageLog()
    run, cursor, last_progress = None, None, time.monotonic()
    while True:
        finished = process.poll() is not None
        run = run or _find_run(instance, marker)
        if run is not None:
            while True:
                page = instance.get_records_for_run(run.run_id, cursor=cursor, limit=500)
                for record in page.records:
                    entry = record.event_log_entry
                    if entry.dagster_event is None:
                        continue
                    lines = log.add(entry.dagster_event, entry.timestamp)
                    for line in lines:
                        echo(("\r\033[K" if interactive else "") + line)
                cursor = page.cursor
                if not page.has_more:
                    break
        if finished:
            return log
        now = time.monotonic()
        if interactive or now - last_progress >= PROGRESS_SECONDS:
            line = log.progress(time.time())
            if line:
                if interactive:
                    click.echo("\r\033[K" + line[:150], nl=False)
                else:
                    echo(line)
                last_progress = now
        time.sleep(1)


@click.command(name="run")
@click.argument("job")
@click.option("--tags", default="{}", help="Run tags, a JSON object (partition range: see make demo).")
@click.option(
    "--log",
    "log_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Where the run's full output goes (default logs/<job>-<time>.log).",
)
def run_command(job: str, tags: str, log_path: Path | None) -> None:
    """Run a Dagster job (`dagster job execute`) printing one line per stage, progress
    during long stages and the checks that did not pass; its full output (every dbt
    model and test) goes to a log file."""
    marker = uuid.uuid4().hex
    run_tags = {**json.loads(tags), RUN_TAG: marker}
    log_path = log_path or REPO_ROOT / "logs" / f"{job}-{time.strftime('%Y%m%dT%H%M%S')}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    dagster = Path(sys.executable).with_name("dagster")
    command = [str(dagster), "job", "execute", "-m", "orchestration.definitions", "-j", job,
               "--config", str(QUIET_CONFIG), "--tags", json.dumps(run_tags)]  # fmt: skip
    click.echo(f"running job {job} through Dagster; its full log (every dbt model and test): {log_path}")
    started = time.monotonic()
    from dagster import DagsterInstance

    # The instance is opened before the run's process starts: both would otherwise create
    # the storage of a new DAGSTER_HOME at once, and the race leaves its run database with
    # two schema versions that no later Dagster process (the UI) can open.
    with DagsterInstance.get() as instance, log_path.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=os.environ.copy())
        try:
            log = follow(instance, process, marker, click.echo, sys.stdout.isatty())
        except KeyboardInterrupt:
            process.terminate()
            process.wait()
            raise
    if sys.stdout.isatty():
        click.echo("\r\033[K", nl=False)
    for line in log.summary():
        click.echo(line)
    outcome = log.outcome or ("succeeded" if process.returncode == 0 else "FAILED")
    click.echo(f"run {outcome} in {duration(time.monotonic() - started)}; full log: {log_path}")
    if process.returncode != 0:
        tail = log_path.read_text(errors="replace").splitlines()[-25:]
        click.echo("\n".join(["last lines of the log:", *tail]), err=True)
        raise SystemExit(process.returncode)
