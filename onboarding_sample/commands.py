"""`onboarding sample generate ...`: write a landing zone with planted ground truth."""

from __future__ import annotations

import math
import time
from pathlib import Path

import click

from onboarding_sample import community
from onboarding_sample import config as cfg
from onboarding_sample.drift import DRIFT_KINDS, DriftSpecError, parse_drift
from onboarding_sample.generate import expected_events_per_account, generate
from onboarding_sample.seeds import SeedConfigError
from onboarding_sample.writer import OutputDirError
from orchestration.lib import SEEDS_DIR


@click.group(name="sample")
def sample() -> None:
    """Generate sample data (a landing zone with its ground truth)."""


@sample.command(name="generate")
@click.option("--accounts", type=int, help="Number of accounts (or give --events).")
@click.option("--events", type=float, help="About this many events (sets the number of accounts).")
@click.option("--days", type=int, required=True, help="Length of the period in days.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Landing directory to write.")
@click.option("--start", default="2026-01-01", show_default=True, help="First day (YYYY-MM-DD, UTC).")
@click.option(
    "--format", "file_format", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True
)
@click.option("--activity", type=float, default=1.0, show_default=True, help="Multiplier on product usage.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes writing days in parallel (default: 2 for a sample of seconds of work or more, else 1).",
)
@click.option("--clean", is_flag=True, help="No imperfections at all.")
@click.option("--force", is_flag=True, help="Write into a folder of other data.")
@click.option(
    "--seeds-dir", type=click.Path(path_type=Path), default=SEEDS_DIR, help="Milestone configuration."
)
@click.option(
    "--drift",
    multiple=True,
    metavar="KIND=DATE[,DATE...]",
    help=f"Inject drift on these arrival days (repeatable); kinds: {', '.join(DRIFT_KINDS)}.",
)
@click.option("--quiet", is_flag=True)
def generate_command(
    accounts,
    events,
    days,
    seed,
    out,
    start,
    file_format,
    activity,
    workers,
    clean,
    force,
    seeds_dir,
    drift,
    quiet,
) -> None:
    """Write accounts, events (by arrival day), subscriptions and surveys into OUT, with the
    planted ground truth beside them in OUT/_truth. Deterministic for a seed."""
    if (accounts is None) == (events is None):
        raise click.UsageError("give exactly one of --accounts and --events")
    imperfections = cfg.ImperfectionParams.none() if clean else cfg.ImperfectionParams()
    params = cfg.Params(
        accounts=accounts or 1,
        days=days,
        seed=seed,
        start=start,
        activity=activity,
        imperfections=imperfections,
    )
    if events:
        per_account = expected_events_per_account(params, seeds_dir)
        params = cfg.Params(**{**params.__dict__, "accounts": max(1, math.ceil(events / per_account))})
    try:
        drifted = parse_drift(list(drift), params.start, params.days)
    except (DriftSpecError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    # What the sample was made with, written into its summary.
    arguments = {
        "accounts": params.accounts,
        "events": events,
        "days": days,
        "seed": seed,
        "start": start,
        "format": file_format,
        "activity": activity,
        "clean": clean,
        "seeds_dir": str(seeds_dir),
    }
    if drifted is not None:  # only then: a clean sample's files stay exactly as before
        arguments["drift"] = drifted.as_arguments(params.start)
    started = time.perf_counter()
    try:
        summary = generate(params, out, file_format, seeds_dir, workers, force, quiet, arguments, drifted)
    except OutputDirError as exc:
        raise click.BadParameter(str(exc), param_hint="--out") from None
    except SeedConfigError as exc:
        raise click.ClickException(str(exc)) from None
    elapsed = time.perf_counter() - started
    written = summary["counts"]["events_written"]
    if not quiet:
        click.echo(
            f"{params.accounts} accounts, {written:,} events over {params.days} days in {elapsed:.1f} s "
            f"({written / elapsed:,.0f} events/s) -> {out}"
        )


@sample.command(name="community")
@click.option(
    "--out", type=click.Path(path_type=Path), required=True, help="Landing directory to write (new)."
)
@click.option("--members", type=click.IntRange(min=1), default=400, show_default=True)
@click.option("--seed", type=int, default=16, show_default=True)
@click.option(
    "--last-day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=str(community.LAST_DAY),
    show_default=True,
    help="The last day of events.",
)
@click.option(
    "--months", type=click.IntRange(min=1), default=community.MONTHS, show_default=True, help="Of history."
)
@click.option(
    "--seeds-into",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Also rewrite the seeds of this folder (a project's seeds/) to describe the community's events.",
)
def community_command(out, members, seed, last_day, months, seeds_into) -> None:
    """The second profile: a community's members and posts over a decade, shaped like a real
    history (one undated events file, sparse events with long tails, automated badges and
    e-mails, no subscriptions, no surveys, a misnamed folder, two implausible rows)."""
    try:
        community.write_community(out, members, seed, last_day.date(), months)
    except FileExistsError as exc:
        raise click.BadParameter(str(exc), param_hint="--out") from None
    if seeds_into is not None:
        community.write_community_seeds(seeds_into)
    first = community.first_sign_up(last_day.date(), months)
    click.echo(f"{members} members signed up from {first:%Y-%m-%d}, events to {last_day:%Y-%m-%d} -> {out}")
