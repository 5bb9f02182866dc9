"""The results table of BENCHMARKS.md, from bench/results/*.json."""

from __future__ import annotations

import json
from pathlib import Path

BEGIN, END = "<!-- bench:table:begin -->", "<!-- bench:table:end -->"
ORDER = ["quick", "1m", "10m", "100m"]


def _median(result: dict, name: str, key: str = "wall_s") -> float:
    """The median of a measure; NaN when the scenario was not run (quick: no Dagster)."""
    measured = result["results"].get(name)
    return measured["median"][key] if measured else float("nan")


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b and a == a else "n/a"


def _seconds(value: float) -> str:
    return f"{value:.1f}" if value == value else "not run"


def rows(result: dict) -> dict[str, str]:
    m = lambda name, key="wall_s": _median(result, name, key)  # noqa: E731
    return {
        "staged events": f"{result['staged_events']:,}",
        "generator (events/s)": f"{m('generator', 'events_per_s'):,.0f}",
        "floor: one scan (s)": f"{m('floor'):.1f}",
        "full build, dbt (s)": f"{m('full_dbt'):.1f}",
        "full build, dbt: CPU s / peak MB": (
            f"{m('full_dbt', 'cpu_s'):.0f} / {m('full_dbt', 'peak_rss_mb'):,.0f}"
        ),
        "full build, Dagster (s)": _seconds(m("full_dagster")),
        "landed days: history, short history, backfill": "{} / {} / {}".format(
            result["days"], result.get("young_days", 31), result.get("backfill_days", 90)
        ),
        "events in the measured daily partition: short, long": "{:,} / {:,}".format(
            result["partition_rows"]["daily_young"], result["partition_rows"]["daily_full"]
        ),
        "daily, short history (s)": f"{m('daily_young'):.1f}",
        "daily, whole history (s)": f"{m('daily_full'):.1f}",
        "backfill, one run (s)": f"{m('backfill'):.1f}",
        "funnel model in DuckDB / windowFunnel in chdb (s)": (
            f"{m('funnel_model', 'engine_s'):.2f} / {m('window_funnel', 'engine_s'):.2f}"
        ),
        "**full / floor** (target <= 4)": _ratio(m("full_dbt"), m("floor")),
        "**daily, long / short history** (target <= 1.3)": _ratio(m("daily_full"), m("daily_young")),
        "**daily / full** (target < 0.05)": _ratio(m("daily_full"), m("full_dbt")),
        "**Dagster / dbt** (target <= 1.2)": _ratio(m("full_dagster"), m("full_dbt")),
        "**backfill / full** (target <= 1.5)": _ratio(m("backfill"), m("full_dbt")),
        "**funnel / windowFunnel**, engine (target <= 1)": _ratio(
            m("funnel_model", "engine_s"), m("window_funnel", "engine_s")
        ),
        "funnel / windowFunnel, whole process": _ratio(m("funnel_model"), m("window_funnel")),
        "full build seconds per million events": f"{m('full_dbt') / result['staged_events'] * 1e6:.1f}",
        "runs (median shown) / load average before, after": "{} / {:.1f}, {:.1f}".format(
            result["runs"], result["load_average_before"][0], result["load_average_after"][0]
        ),
    }


def table(results: list[dict]) -> str:
    columns = [r["label"] for r in results]
    body = [rows(r) for r in results]
    lines = ["| measure | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for name in body[0]:
        lines.append(f"| {name} | " + " | ".join(b[name] for b in body) + " |")
    first = results[0]
    lines.append("")
    lines.append(
        f"Measured {first['date']} on {first['machine']['cpus']} CPUs, {first['machine']['memory_gb']} GB, "
        f"Python {first['machine']['python']}, {first['machine']['platform']}."
    )
    return "\n".join(lines)


def write_benchmarks_md(results_dir: Path, target: Path, dry_run: bool = False) -> str:
    """The table of every size measured; written between the markers of `target`
    unless dry_run (the quick run only prints it)."""
    found = {p.stem: json.loads(p.read_text()) for p in results_dir.glob("*.json")}
    labels = ["quick"] if dry_run else [label for label in ORDER if label in found and label != "quick"]
    text = table([found[label] for label in labels if label in found])
    if not dry_run:
        document = target.read_text()
        start, end = document.index(BEGIN) + len(BEGIN), document.index(END)
        target.write_text(document[:start] + "\n" + text + "\n" + document[end:])
    return text
