"""The BI starter (bi/dashboards.yml) rendered on the serving snapshot: one self-contained
HTML page per dashboard in `<serving folder>/dashboards/` (inline CSS and SVG charts, no
script, nothing fetched), with an index. A team sees the dashboards before it connects a
BI tool, and each tile shows the SQL to paste into one (docs/bi-users.md).

Each tile's SQL runs on the published snapshot, read-only, as a BI tool runs it; its rows
become the chart its `chart` names: `line` and `bar` draw `y` over `x`, one line or bar per
`series` value (or per `y` column when `y` is a list); `funnel` draws one funnel per
`series` value, the steps in `x` order; `table` lists the rows. Rendered from a Jinja2
template (autoescape on) and the reports' matplotlib charts; every page is rewritten whole
on each publish, each written to a temporary name and renamed into place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import click
import duckdb
import yaml
from markupsafe import Markup

from orchestration import settings
from orchestration.lib import REPO_ROOT
from orchestration.reports import charts
from orchestration.reports.page import CSS
from orchestration.serving.snapshot import SNAPSHOT_TABLE, serving_dir, serving_file
from orchestration.serving.status_pages import environment, write_page
from orchestration.sql import repository_query

DASHBOARDS_FILE = REPO_ROOT / "bi" / "dashboards.yml"
FOLDER = "dashboards"
TABLE_ROWS = 50  # rows of a table tile shown on the page (the count says how many there are)
CHARTS = ("line", "bar", "funnel", "table")


@dataclass(frozen=True)
class Tile:
    name: str
    title: str
    sql: str
    rows: int
    chart: Markup  # SVG charts (titled), or an HTML table
    drawn: bool  # a chart, which carries the title


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _label(value) -> str:
    """An x label: a month's first day as the month (sign-up months), else the value."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime) and value.day == 1:
        return value.strftime("%Y-%m")
    return str(value)


def _measures(tile: dict) -> list[str]:
    return [tile["y"]] if isinstance(tile["y"], str) else list(tile["y"])


def _series(tile: dict, rows: list[dict]) -> tuple[list[str], dict[str, list]]:
    """The x labels (in the rows' order) and one list of values per series."""
    labels = list(dict.fromkeys(_label(r[tile["x"]]) for r in rows))
    position = {label: i for i, label in enumerate(labels)}
    series: dict[str, list] = {}
    for row in rows:
        for measure in _measures(tile):
            name = _label(row[tile["series"]]) if "series" in tile else measure
            if "series" in tile and len(_measures(tile)) > 1:
                name = f"{name} {measure}"
            values = series.setdefault(name, [None] * len(labels))
            values[position[_label(row[tile["x"]])]] = row[measure]
    return labels, series


def _table(rows: list[dict], columns: list[str]) -> Markup:
    head = "".join(f"<th>{Markup.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{Markup.escape(_number(row[c]))}</td>" for c in columns) + "</tr>"
        for row in rows[:TABLE_ROWS]
    )
    return Markup(f'<table class="tile-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def draw(tile: dict, rows: list[dict], columns: list[str]) -> Markup:
    """The tile's chart from its rows."""
    kind = tile["chart"]
    if kind not in CHARTS:
        raise ValueError(f"tile {tile['name']}: chart {kind!r} is not one of {', '.join(CHARTS)}")
    missing = [c for c in [tile["x"], *_measures(tile), *([tile["series"]] if "series" in tile else [])]
               if c not in columns]  # fmt: skip
    if missing:
        raise ValueError(f"tile {tile['name']}: its SQL gives no column {', '.join(missing)}")
    if not rows:
        return Markup('<p class="empty">No rows in this snapshot.</p>')
    if kind == "table":
        return _table(rows, columns)
    if kind == "funnel":
        groups = list(dict.fromkeys(_label(r[tile["series"]]) for r in rows)) if "series" in tile else [""]
        drawn = []
        for group in groups:
            steps = [(_label(r[tile["x"]]), r[_measures(tile)[0]]) for r in rows
                     if "series" not in tile or _label(r[tile["series"]]) == group]  # fmt: skip
            drawn.append(charts.funnel_chart(f"{tile['title']}: {group}" if group else tile["title"], steps))
        return Markup("").join(drawn)
    labels, series = _series(tile, rows)
    chart = charts.line_chart if kind == "line" else charts.bar_chart
    return chart(tile["title"], labels, series, fmt=_number)


def render_tiles(con: duckdb.DuckDBPyConnection, dashboard: dict, definitions: Path) -> list[Tile]:
    """Each tile's rows (its SQL, on the read-only snapshot) drawn."""
    tiles = []
    for tile in dashboard["tiles"]:
        cursor = con.execute(repository_query(tile["sql"], definitions))
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        chart, drawn = draw(tile, rows, columns), bool(rows) and tile["chart"] != "table"
        tiles.append(Tile(tile["name"], tile["title"], tile["sql"].strip(), len(rows), chart, drawn))
    return tiles


def render_dashboards(directory: Path | None = None, definitions: Path = DASHBOARDS_FILE) -> list[Path]:
    """Every dashboard of `definitions` on the snapshot in `directory`; the pages written."""
    directory = directory or serving_dir()
    dashboards = yaml.safe_load(definitions.read_text())["dashboards"]
    folder = directory / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    template = environment().get_template("dashboard.html.j2")
    written = []
    with duckdb.connect(str(serving_file(directory)), read_only=True) as con:
        snapshot_id, built_at, as_of = con.execute(
            f"select snapshot_id, built_at, data_as_of from {SNAPSHOT_TABLE} limit 1"
        ).fetchone()
        for dashboard in dashboards:
            html = template.render(
                css=CSS,
                dashboard=dashboard,
                dashboards=dashboards,
                tiles=render_tiles(con, dashboard, definitions),
                snapshot_id=snapshot_id,
                built_at=built_at,
                as_of=as_of,
                serving_file=serving_file(directory),
            )
            written.append(write_page(folder / f"{dashboard['name']}.html", html))
    index = "".join(
        f'<li><a href="{Markup.escape(d["name"])}.html">{Markup.escape(d["title"])}</a></li>'
        for d in dashboards
    )
    head = "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Dashboards</title></head>"
    write_page(folder / "index.html", f"{head}<body><h1>Dashboards</h1><ul>{index}</ul></body></html>\n")
    return written


@click.command(name="dashboards")
def dashboards_command() -> None:
    """Render the BI starter's dashboards (bi/dashboards.yml) on the published serving
    snapshot into ONBOARDING_SERVING_DIR/dashboards/ (after `onboarding publish`)."""
    if settings.command_line_check():
        raise SystemExit(2)
    if not serving_file().exists():
        raise click.ClickException(f"No serving snapshot at {serving_file()}: publish it first (make build).")
    pages = render_dashboards()
    click.echo(f"{len(pages)} dashboards in {serving_dir() / FOLDER} (index.html lists them)")


__all__ = ["dashboards_command", "render_dashboards"]
