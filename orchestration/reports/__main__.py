"""`python -m orchestration.reports weekly|monthly [--out DIR]`: build a report from the
current serving snapshot (ONBOARDING_SERVING_DIR) and write it (ONBOARDING_REPORTS_DIR)."""

import argparse
import sys
from pathlib import Path

from orchestration import settings
from orchestration.reports.build import BUILDERS, write_report
from orchestration.serving import connect_serving


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.reports")
    parser.add_argument("kind", choices=sorted(BUILDERS))
    parser.add_argument("--out", type=Path, help="folder (default: ONBOARDING_REPORTS_DIR)")
    args = parser.parse_args(argv)
    if settings.command_line_check():
        return 2
    with connect_serving() as con:
        report = BUILDERS[args.kind](con)
    dated, latest = write_report(report, args.out)
    print(f"{args.kind} report, {report.period.label}: {dated} (latest: {latest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
