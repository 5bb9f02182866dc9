"""The onboarding status page of every account: one self-contained HTML file each
(inline CSS and SVG charts, no script, nothing fetched), in `<serving folder>/accounts/`,
named by the MD5 of the account id (what fct_at_risk_alerts.status_page links to: an id
never becomes a path), with an index of the accounts alerted most recently.

Rendered from Jinja2 templates (orchestration/serving/templates/, autoescape on: every
value from the data is escaped) and the reports' SVG charts. Read from the warehouse
after the marts and the predictions are built; rewritten whole on every run (files of
accounts no longer present are removed), each file written to a temporary name and
renamed into place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import click
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from orchestration import settings
from orchestration.lib import connect_warehouse, warehouse_path
from orchestration.reports import charts
from orchestration.reports.page import CSS
from orchestration.serving.snapshot import serving_dir

FOLDER = "accounts"
TEMPLATES = Path(__file__).parent / "templates"
STATUS_CSS = (
    CSS
    + """
th, td { text-align: left; } .status { font-weight: 600; }
.status.good { color: #15803d; } .status.bad { color: #b91c1c; }
.status.open { color: #92400e; } td.late, td.overdue { color: #b91c1c; } td.on_time { color: #15803d; }
"""
)


def page_name(account_id: str) -> str:
    """The page's file name: the MD5 of the account id (dbt.hash in the alerts mart)."""
    return hashlib.md5(account_id.encode()).hexdigest() + ".html"


def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        keep_trailing_newline=True,
    )


def _rows(con, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _by_account(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in rows:
        out.setdefault(row["account_id"], []).append(row)
    return out


def _table_exists(con, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


@dataclass
class Written:
    folder: Path
    pages: int
    removed: int


def _milestone_status(m: dict, age_days: float) -> tuple[str, str]:
    if m["reached_at"] is not None:
        return ("on time", "on_time") if m["is_reached_on_time"] else ("late", "late")
    if age_days > m["expected_by_day"]:
        return "overdue", "overdue"
    return "not yet due", "open"


def _account_status(a: dict) -> tuple[str, str]:
    if a["activated_at"] is not None:
        when = "within" if a["is_activated_in_window"] else "after"
        return (
            f"Activated {a['activated_at']:%Y-%m-%d} ({when} its {a['activation_window_days']}-day window)",
            "good",
        )
    if a["is_activation_window_mature"]:
        return f"Not activated: its {a['activation_window_days']}-day window has passed", "bad"
    return f"Not activated yet: inside its {a['activation_window_days']}-day window", "open"


def render_pages(con, directory: Path) -> Written:
    """Write every account's page (and the index) into `directory/accounts/`."""
    folder = directory / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    template = environment().get_template("status_page.html.j2")
    (as_of,) = con.execute("select max(as_of_at) from intermediate.int_as_of").fetchone()
    accounts = _rows(con, "select * from marts.fct_account_onboarding order by account_id")
    milestones = _by_account(
        _rows(con, "select * from marts.fct_account_milestones order by account_id, step_number")
    )
    engagement = {r["account_id"]: r for r in _rows(con, "select * from marts.fct_account_engagement")}
    alerts = _by_account(_rows(con, "select * from marts.fct_at_risk_alerts order by account_id, alerted_at"))
    days = _by_account(
        _rows(
            con,
            """select features.account_id, features.day_number, features.logins_to_date,
                      features.failures_to_date, features.help_views_to_date,
                      features.days_since_last_activity, health.health_score
               from marts.fct_account_day_features as features
               left join marts.fct_account_health as health
                   on features.account_id = health.account_id and features.day_number = health.day_number
               order by features.account_id, features.day_number""",
        )
    )
    has_propensity = _table_exists(con, "predict", "fct_account_propensity")
    propensity = (
        _by_account(
            _rows(con, "select * from predict.fct_account_propensity order by account_id, day_number")
        )
        if has_propensity
        else {}
    )
    signals = _by_account(
        _rows(
            con,
            """select account_id, day_number, rule_name, detail from marts.fct_account_risk_signals
               qualify day_number = max(day_number) over (partition by account_id)
               order by account_id, rule_name""",
        )
    )
    written = set()
    for account in accounts:
        account_id = account["account_id"]
        age = (as_of - account["signed_up_at"]).total_seconds() / 86400
        text, css = _account_status(account)
        account = {**account, "activation_status_text": text, "status_class": css}
        steps = []
        for m in milestones.get(account_id, []):
            status, status_class = _milestone_status(m, age)
            steps.append({**m, "status": status, "status_class": status_class})
        history = days.get(account_id, [])
        scores = propensity.get(account_id, [])
        labels = [str(d["day_number"]) for d in history]
        note = None
        if not has_propensity:
            note = "Propensity not computed yet: the prediction step has not run on this warehouse."
        elif scores and all(s["p_activate_in_window"] is None for s in scores):
            note = f"Propensity not available: {scores[-1]['activation_reason']}."
        propensity_chart = (
            charts.line_chart(
                "Propensity by day of onboarding",
                [str(s["day_number"]) for s in scores],
                {
                    "activate in window": [s["p_activate_in_window"] for s in scores],
                    "subscribed on day 90": [s["p_retained_day_90"] for s in scores],
                },
                fmt=lambda v: f"{v:.0%}",
                fixed_margins=True,
            )
            if scores
            else ""
        )
        health_chart = (
            charts.line_chart(
                "Health score by day of onboarding (0-100)",
                labels,
                {"health score": [d["health_score"] for d in history]},
                fmt=lambda v: f"{v:.0f}",
                fixed_margins=True,
            )
            if history
            else ""
        )
        html = template.render(
            css=Markup(STATUS_CSS),
            account=account,
            as_of=as_of,
            milestones=steps,
            engagement=engagement.get(account_id, {}),
            latest=history[-1] if history else None,
            signals=signals.get(account_id, []),
            alerts=alerts.get(account_id, []),
            propensity_note=note,
            propensity_chart=Markup(propensity_chart),
            health_chart=Markup(health_chart),
        )
        name = page_name(account_id)
        write_page(folder / name, html)
        written.add(name)
    recent = sorted(
        (a for rows in alerts.values() for a in rows),
        key=lambda a: (a["alerted_at"], a["account_id"]),
        reverse=True,
    )
    index = (
        environment()
        .from_string(INDEX)
        .render(
            css=Markup(STATUS_CSS), as_of=as_of, alerts=recent[:200], pages=len(written), page_name=page_name
        )
    )
    write_page(folder / "index.html", index)
    removed = 0
    for path in folder.glob("*.html"):
        if path.name not in written and path.name != "index.html":
            path.unlink()
            removed += 1
    return Written(folder, len(written), removed)


def write_page(path: Path, html: str) -> Path:
    """A page written to a temporary name and renamed into place (readers never see half
    of it); its path."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(html, encoding="utf-8")
    os.replace(temporary, path)
    return path


INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Onboarding status pages</title>
<style>{{ css }}</style></head><body>
<h1>Onboarding status pages</h1>
<p class="meta">{{ pages }} accounts · data as of {{ as_of.strftime('%Y-%m-%d %H:%M') }} UTC ·
the most recent alerts first</p>
<table><thead><tr><th>alerted</th><th>account</th><th>rules</th><th>queue</th></tr></thead><tbody>
{%- for a in alerts %}
<tr><td>{{ a.alerted_on }}</td><td><a href="{{ page_name(a.account_id) }}">{{ a.account_id }}</a></td>
<td>{{ a.rule_names }}</td><td>{{ a.queue_status }}</td></tr>
{%- endfor %}
</tbody></table></body></html>
"""


def status_dir(directory: Path | None = None) -> Path:
    return (directory or serving_dir()) / FOLDER


@click.command(name="status-pages")
def status_pages_command() -> None:
    """Write the onboarding status page of every account into the serving folder
    (ONBOARDING_SERVING_DIR/accounts/, linked from each alert), after the marts and the
    prediction step (`onboarding predict`) are built."""
    if settings.command_line_check():
        raise SystemExit(2)
    if not warehouse_path().exists():
        raise click.ClickException(f"No warehouse at {warehouse_path()}: build it first (make build).")
    with connect_warehouse(read_only=True) as con:
        written = render_pages(con, status_dir().parent)
    click.echo(f"{written.pages} status pages in {written.folder}")


__all__ = ["dt", "page_name", "render_pages", "status_dir", "status_pages_command", "write_page"]
