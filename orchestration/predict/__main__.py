"""`python -m orchestration.predict run|status-pages`: what the Dagster assets of the
predict group do, for plain-dbt users (`make build` runs `run` between two dbt builds).

    run            score the survey comments, train and score the propensity models
    status-pages   write the status page of every account into the serving folder
"""

import sys

from orchestration import settings
from orchestration.lib import connect_warehouse, warehouse_path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in (["run"], ["status-pages"]):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if settings.command_line_check():
        return 2
    if not warehouse_path().exists():
        print(f"No warehouse at {warehouse_path()}: build it first (make build).", file=sys.stderr)
        return 1
    if args == ["run"]:
        from orchestration.predict import propensity, sentiment

        with connect_warehouse() as con:
            scored, themes = sentiment.run(con)
            result = propensity.run(con)
            metrics = propensity.current_metrics(con)
        print(f"sentiment: {scored} comments scored, {len(themes)} friction themes")
        trained = sum(r.status == "trained" for r in result.runs)
        print(f"propensity: {trained} of {len(result.runs)} versions trained")
        for target, version, status, auc, brier, _, _ in metrics:
            figures = f"AUC {auc:.3f}, Brier {brier:.3f}" if auc is not None else status
            print(f"  {target:<20} {version:<10} {figures}")
        return 0
    from orchestration.predict import status_pages

    with connect_warehouse(read_only=True) as con:
        written = status_pages.render_pages(con, status_pages.status_dir().parent)
    print(f"{written.pages} status pages in {written.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
