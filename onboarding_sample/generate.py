"""Generate a landing zone: plan the world once, then write the events day by day
in parallel workers (each day has its own random stream, so the output does
not depend on the number of workers)."""

import datetime as dt
import multiprocessing
import signal
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from onboarding_sample import config as cfg
from onboarding_sample.activity import daily_rates, day_events
from onboarding_sample.delivery import COUNT_KEYS, DayDelivery, arrival_dates, deliver
from onboarding_sample.drift import DriftPlan, hold_back, spoil
from onboarding_sample.journeys import ABANDONED, NEVER
from onboarding_sample.seeds import read_rule_threshold, read_segment_configs
from onboarding_sample.surveys import build_surveys
from onboarding_sample.truth import planted_summary, write_truth
from onboarding_sample.world import World, build_world
from onboarding_sample.writer import iso_text, prepare_output, write_marker, write_table

# What every block needs, set once per process: in the parent for a serial run, in
# each worker by _start_worker (workers are started by a fork server, not forked
# from the parent: a fork of a process whose Arrow/NumPy thread pools are running
# can inherit a held lock).
_WORLD: World | None = None
_OUT: tuple[Path, str] | None = None
_DRIFT: DriftPlan | None = None  # drift to inject (onboarding_sample/drift.py), usually none
# Days generated together and written to one file per arrival date: fewer, larger
# files (late arrivals and re-deliveries otherwise make many tiny ones). Fixed, so
# the output does not depend on the number of workers.
DAYS_PER_BLOCK = 7


def _date(world: World, day: int) -> str:
    return (dt.date.fromisoformat(world.params.start) + dt.timedelta(days=int(day))).isoformat()


def _set_state(world: World | None, out: tuple[Path, str] | None, drift: DriftPlan | None) -> None:
    global _WORLD, _OUT, _DRIFT
    _WORLD, _OUT, _DRIFT = world, out, drift


def _start_worker(world: World, out: tuple[Path, str], drift: DriftPlan | None) -> None:
    # A worker inherits the disposition of SIGTERM; where the parent was started with
    # it ignored (some CI runners and background shells do that), Pool.terminate()
    # could not stop the worker and the parent would wait for it forever.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _set_state(world, out, drift)


def write_block(first_day: int) -> list[DayDelivery]:
    """Generate the events that occur in a block of days and write them by arrival date."""
    world, (out, fmt) = _WORLD, _OUT
    days = range(first_day, min(first_day + DAYS_PER_BLOCK, world.days))
    tables, arrivals, deliveries = [], [], []
    for day in days:
        table, received, delivery = deliver(world, day, day_events(world, day))
        if _DRIFT is not None:
            table, received = hold_back(_DRIFT, world.params.seed, world.start_ms, day, table, received)
        tables.append(table)
        arrivals.append(arrival_dates(world, received))
        deliveries.append(delivery)
    arrival = np.concatenate(arrivals)
    order = np.argsort(arrival, kind="stable")
    table = pa.concat_tables(tables).take(pa.array(order))
    arrival = arrival[order]
    bounds = np.flatnonzero(np.diff(arrival)) + 1
    for start, stop in zip(
        np.concatenate([[0], bounds]), np.concatenate([bounds, [len(arrival)]]), strict=True
    ):
        folder = out / "events" / f"date={_date(world, arrival[start])}"
        path = folder / f"events-occurred-from-{_date(world, first_day)}"
        piece = table.slice(start, stop - start)
        if _DRIFT is not None:
            piece = spoil(_DRIFT, world.params.seed, int(arrival[start]), piece)
        deliveries[0].files.append(str(write_table(piece, path, fmt)))
    return deliveries


def accounts_table(world: World) -> pa.Table:
    acc = world.accounts
    return pa.table(
        {
            "account_id": pa.array(acc.ids, pa.string()),
            "account_name": pa.array(acc.names, pa.string()),
            "signed_up_at": iso_text(acc.signup_ms),
            "segment": pa.array(acc.segment, pa.string()),
            "plan": pa.array(acc.plan, pa.string()),
            "industry": pa.array(acc.industry, pa.string()),
            "company_size": pa.array(acc.company_size, pa.string()),
            "acquisition_channel": pa.array(acc.channel, pa.string()),
            "onboarding_variant": pa.array(acc.variant, pa.string()),
        }
    )


def subscriptions_table(world: World) -> pa.Table:
    subs = world.subscriptions
    ongoing = subs.period_end == NEVER
    end_text = iso_text(np.where(ongoing, 0, subs.period_end))
    return pa.table(
        {
            "account_id": pa.array(world.accounts.ids[subs.account], pa.string()),
            "period_start": iso_text(subs.period_start),
            "period_end": pa.array(end_text.to_pylist(), pa.string(), mask=ongoing),
            "mrr": pa.array(subs.mrr, pa.float64()),
            "seats": pa.array(subs.seats, pa.int64()),
            "plan": pa.array(subs.plan, pa.string()),
        }
    )


def expected_events_per_account(params: cfg.Params, seeds_dir: Path) -> float:
    """Events an account produces on average under these parameters (from a pilot world)."""
    pilot = build_world(
        cfg.Params(**{**params.__dict__, "accounts": 2000}),
        read_segment_configs(seeds_dir),
        read_rule_threshold(seeds_dir, "milestone_overdue"),
    )
    total = sum(float(daily_rates(pilot, day)[1].sum()) for day in range(pilot.days))
    return total * (1 + params.imperfections.duplicate) / 2000


def generate(
    params: cfg.Params,
    out: Path,
    fmt: str,
    seeds_dir: Path,
    workers: int | None = None,
    force: bool = False,
    quiet: bool = False,
    arguments: dict | None = None,
    drift: DriftPlan | None = None,
) -> dict:
    prepare_output(out, force)
    world = build_world(
        params, read_segment_configs(seeds_dir), read_rule_threshold(seeds_dir, "milestone_overdue")
    )
    write_table(accounts_table(world), out / "accounts" / "accounts", fmt)
    write_table(subscriptions_table(world), out / "subscriptions" / "subscriptions", fmt)
    surveys = build_surveys(world)
    write_table(surveys, out / "surveys" / "surveys", fmt)

    state = (world, (out, fmt), drift)
    counts = dict.fromkeys(COUNT_KEYS, 0)
    distinct, as_of_ms = 0, -1
    has_events = np.zeros(len(world.accounts), dtype=bool)
    large = params.accounts * params.days * 5 >= 200_000  # a few seconds of work or more (make demo)
    progress = tqdm(
        total=params.days,
        unit="day",
        file=sys.stderr,
        disable=quiet or not large,
        desc="events",
        mininterval=1.0,
    )
    blocks = range(0, params.days, DAYS_PER_BLOCK)
    if workers is None:
        # Worker processes pay seconds of start-up (each imports the generator): by default
        # only for work that outlasts it. The output is the same either way.
        workers = 2 if large else 1
    if workers > 1:
        context = multiprocessing.get_context("forkserver")
        pool = context.Pool(workers, initializer=_start_worker, initargs=state)
    else:
        pool = _Serial(state)
    try:
        deliveries = (d for block in pool.imap_unordered(write_block, blocks) for d in block)
        for delivery in deliveries:
            for key, value in delivery.counts.items():
                counts[key] += value
            distinct += delivery.distinct_event_ids
            as_of_ms = max(as_of_ms, delivery.max_valid_received_ms)
            has_events[delivery.accounts_with_events] = True
            progress.update(1)
            progress.set_postfix(events=f"{counts['events_written']:,}")
        pool.close()  # the workers exit once the queue is empty, without a signal
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    progress.close()
    _set_state(None, None, None)

    counts.update(
        distinct_event_ids=distinct,
        accounts_written=len(world.accounts),
        accounts_without_events=int((~has_events).sum()),
        accounts_abandoned=int((world.journeys.outcome == ABANDONED).sum()),
        subscription_periods=len(world.subscriptions.account),
        survey_responses=surveys.num_rows,
    )
    summary = {
        "arguments": arguments or {},
        "start": params.start,
        "end": _date(world, params.days),
        "as_of": iso_text(np.array([as_of_ms])).to_pylist()[0] if as_of_ms >= 0 else None,
        "format": fmt,
        "counts": counts,
        "planted": planted_summary(world),
    }
    write_truth(out, world, as_of_ms, has_events, summary)
    write_marker(out, arguments or {})
    return summary


class _Serial:
    """A one-process stand-in for a pool."""

    def __init__(self, state: tuple) -> None:
        _set_state(*state)

    def close(self) -> None:
        pass

    terminate = join = close

    @staticmethod
    def imap_unordered(function, items):
        return map(function, items)
