"""Print a short KPI summary of the warehouse: `python -m orchestration.summary`."""

import sys

from orchestration.lib import connect_warehouse, warehouse_path

ACTIVATION_BY_SEGMENT = """
    select
        segment,
        sum(signed_up_accounts) as accounts,
        sum(mature_accounts) as mature,
        sum(immature_accounts) as immature,
        sum(activated_accounts) as activated,
        sum(activated_accounts) / nullif(sum(mature_accounts), 0) as rate
    from marts.kpi_activation_rate
    group by rollup (segment)
    order by segment nulls last
"""

QUARANTINE = """
    select source_table, quarantine_reason, count(*) as rows_quarantined
    from staging.stg_quarantine
    group by all
    order by source_table, rows_quarantined desc
"""


def _percent(value: float | None) -> str:
    return "   n/a" if value is None else f"{value:6.1%}"


def summary_lines(con) -> list[str]:
    as_of = con.execute("select max(as_of_at) from marts.fct_account_onboarding").fetchone()[0]
    lines = [f"Onboarding KPI summary (data as of {as_of:%Y-%m-%d %H:%M} UTC)", ""]
    lines.append("Activation rate (mature accounts, segment window):")
    lines.append(f"  {'segment':<14}{'accounts':>9}{'mature':>8}{'immature':>10}{'activated':>11}{'rate':>8}")
    for segment, accounts, mature, immature, activated, rate in con.execute(ACTIVATION_BY_SEGMENT).fetchall():
        lines.append(
            f"  {segment or 'all':<14}{accounts:>9}{mature:>8}{immature:>10}{activated:>11}  {_percent(rate)}"
        )
    ttfv = con.execute(
        "select median(seconds_to_first_value) / 86400, count(first_value_at), count(*) "
        "from marts.fct_account_onboarding"
    ).fetchone()
    if ttfv[0] is not None:
        lines += [
            "",
            f"Time to first value: observed median {ttfv[0]:.1f} days "
            f"({ttfv[1]} of {ttfv[2]} accounts reached it)",
        ]
    rows = con.execute(QUARANTINE).fetchall()
    lines += ["", "Quarantined rows (staging.stg_quarantine):"]
    lines += [f"  {table:<14}{reason:<26}{count:>8}" for table, reason, count in rows] or ["  none"]
    return lines


def main() -> int:
    path = warehouse_path()
    if not path.exists():
        print(f"No warehouse at {path}: run `make demo` first.", file=sys.stderr)
        return 1
    with connect_warehouse(path, read_only=True) as con:
        print("\n".join(summary_lines(con)))
    print(f"\nWarehouse: {path}")
    print(
        "  marts: marts.kpi_activation_rate, marts.fct_account_onboarding; quarantine: staging.stg_quarantine"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
