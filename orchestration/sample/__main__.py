"""Command line of the sample generator."""

import argparse
import math
import sys
import time
from pathlib import Path

from orchestration.lib import SEEDS_DIR
from orchestration.sample import config as cfg
from orchestration.sample.drift import DRIFT_KINDS, DriftSpecError, parse_drift
from orchestration.sample.generate import expected_events_per_account, generate
from orchestration.sample.seeds import SeedConfigError
from orchestration.sample.writer import OutputDirError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m orchestration.sample")
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="write a landing zone with planted ground truth")
    size = gen.add_mutually_exclusive_group(required=True)
    size.add_argument("--accounts", type=int, help="number of accounts")
    size.add_argument("--events", type=float, help="about this many events (sets the accounts)")
    gen.add_argument("--days", type=int, required=True, help="length of the period in days")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--out", type=Path, required=True, help="landing directory to write")
    gen.add_argument("--start", default="2026-01-01", help="first day (YYYY-MM-DD, UTC)")
    gen.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    gen.add_argument("--activity", type=float, default=1.0, help="multiplier on product usage")
    gen.add_argument("--workers", type=int, default=2, help="processes writing days in parallel")
    gen.add_argument("--clean", action="store_true", help="no imperfections at all")
    gen.add_argument("--force", action="store_true", help="write into a folder of other data")
    gen.add_argument("--seeds-dir", type=Path, default=SEEDS_DIR, help="milestone configuration")
    gen.add_argument(
        "--drift",
        action="append",
        default=[],
        metavar="KIND=DATE[,DATE...]",
        help=f"inject drift on these arrival days (repeatable); kinds: {', '.join(DRIFT_KINDS)}",
    )
    gen.add_argument("--quiet", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    imperfections = cfg.ImperfectionParams.none() if args.clean else cfg.ImperfectionParams()
    params = cfg.Params(
        accounts=args.accounts or 1,
        days=args.days,
        seed=args.seed,
        start=args.start,
        activity=args.activity,
        imperfections=imperfections,
    )
    if args.events:
        per_account = expected_events_per_account(params, args.seeds_dir)
        params = cfg.Params(**{**params.__dict__, "accounts": max(1, math.ceil(args.events / per_account))})
    try:
        drift = parse_drift(args.drift, params.start, params.days)
    except (DriftSpecError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    arguments = {
        k: (str(v) if isinstance(v, Path) else v)
        for k, v in vars(args).items()
        if k not in ("command", "quiet", "force", "workers", "out", "drift")
    }
    arguments["accounts"] = params.accounts
    if drift is not None:  # only then: a clean sample's files stay exactly as before
        arguments["drift"] = drift.as_arguments(params.start)
    started = time.perf_counter()
    try:
        summary = generate(
            params,
            args.out,
            args.format,
            args.seeds_dir,
            args.workers,
            args.force,
            args.quiet,
            arguments,
            drift,
        )
    except (OutputDirError, SeedConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    events = summary["counts"]["events_written"]
    if not args.quiet:
        print(
            f"{params.accounts} accounts, {events:,} events over {params.days} days in {elapsed:.1f} s "
            f"({events / elapsed:,.0f} events/s) -> {args.out}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
