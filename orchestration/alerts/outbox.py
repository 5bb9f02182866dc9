"""The at-risk alerts outbox: every alert of marts.fct_at_risk_alerts is sent once,
never twice, whatever how often the marts are rebuilt, re-run or backfilled.

An alert is one account and one day (`alert_id` = `<account_id>:<alerted_on>`): the day
at least one rule first fired for it, listing every rule firing that day, with its
playbook and status page. Only alerts within their owner's daily cap are sent
(queue_status 'send'); the overflow stays in the mart, counted, and is not sent.
Sending appends the alert as one JSON line to the outbox file (ONBOARDING_ALERTS_FILE,
default `alerts/at_risk_alerts.jsonl` beside the warehouse file) and, when ONBOARDING_ALERTS_URL is set,
POSTs it there as JSON. What was sent is recorded in `alerts.at_risk_outbox`, an
append-only table in the warehouse that dbt does not manage (rebuilding or
full-refreshing the marts leaves it alone); the file's own alert ids count as
sent too, so losing either record still sends nothing twice.

Alerts that first fired more than ONBOARDING_ALERTS_MAX_AGE_DAYS days before the
data's as-of instant (history seen for the first time: a first run on old data,
a backfill of past dates) are recorded as `stale` and never sent: customer
success acts on today's alerts, not on last month's.

Run from Dagster (asset `alerts/at_risk_outbox`, after the marts, and the sensor
`onboarding_at_risk_alert_sensor`) or by hand: `onboarding alerts send`.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import click

from orchestration import settings
from orchestration.lib import connect_warehouse, repo_path, warehouse_path

OUTBOX_TABLE = "alerts.at_risk_outbox"
DEFAULT_FILE_NAME = "alerts/at_risk_alerts.jsonl"  # beside the warehouse file
DEFAULT_MAX_AGE_DAYS = 3
POST_TIMEOUT_SECONDS = 10

CREATE_OUTBOX = f"""
create schema if not exists alerts;
create table if not exists {OUTBOX_TABLE} (
    alert_id varchar primary key,
    account_id varchar not null,
    rule_name varchar not null,
    alerted_at timestamp not null,
    detail varchar,
    payload varchar not null,
    status varchar not null,          -- sent | stale
    recorded_at timestamp not null,
    post_status varchar               -- null (no URL then) | pending | delivered | failed: <reason>
)
"""

CANDIDATES = """
    select
        alerts.alert_id,
        alerts.account_id,
        alerts.segment,
        alerts.rule_name,
        alerts.alert_day_number,
        alerts.alerted_at,
        alerts.rule_names,
        alerts.detail,
        alerts.playbook_id,
        alerts.playbook_action,
        alerts.owner_role,
        alerts.queue_rank,
        alerts.miss_likelihood,
        alerts.status_page
    from marts.fct_at_risk_alerts as alerts
    where alerts.queue_status = 'send'
    order by alerts.alerted_at, alerts.alert_id
"""


@dataclass(frozen=True)
class OutboxSettings:
    file: Path
    url: str | None
    max_age_days: int

    @classmethod
    def from_environment(cls) -> OutboxSettings:
        """The outbox settings, checked (orchestration/settings.py): a URL other than
        http(s)://host... is refused here, before anything is sent."""
        file = settings.get("ONBOARDING_ALERTS_FILE")
        return cls(
            file=repo_path(file) if file else warehouse_path().parent / DEFAULT_FILE_NAME,
            url=settings.get("ONBOARDING_ALERTS_URL"),
            max_age_days=settings.parsed("ONBOARDING_ALERTS_MAX_AGE_DAYS"),
        )


@dataclass
class SendResult:
    sent: list[dict] = field(default_factory=list)
    stale: int = 0
    already_sent: int = 0
    recovered: int = 0  # in the file but not yet in the table (a run stopped in between)
    posted: int = 0
    post_failures: int = 0


def replaying() -> bool:
    """Metrics replayed at an earlier instant (ONBOARDING_AS_OF) describe the past: never sent."""
    return settings.get("ONBOARDING_AS_OF") is not None


def payload(row: dict) -> dict:
    """The alert as sent: plain JSON types."""
    return {
        "alert_id": row["alert_id"],
        "account_id": row["account_id"],
        "segment": row["segment"],
        "rule": row["rule_name"],
        "day_number": row["alert_day_number"],
        "alerted_at": row["alerted_at"].isoformat(sep=" "),
        "rules": row["rule_names"],
        "detail": row["detail"],
        "playbook": row["playbook_id"],
        "action": row["playbook_action"],
        "owner": row["owner_role"],
        "queue_rank": row["queue_rank"],
        "miss_likelihood": row["miss_likelihood"],
        "status_page": row["status_page"],
    }


def is_stale(alerted_at: dt.datetime, as_of: dt.datetime, max_age_days: int) -> bool:
    return alerted_at < as_of - dt.timedelta(days=max_age_days)


def ids_in_file(path: Path) -> dict[str, dict]:
    """alert_id -> line of the outbox file (a torn last line, from a crash, is ignored)."""
    if not path.exists():
        return {}
    lines = {}
    for text in path.read_text().splitlines():
        try:
            line = json.loads(text)
        except json.JSONDecodeError:
            continue
        lines[line["alert_id"]] = line
    return lines


@contextmanager
def _locked(path: Path):
    """One sender at a time (Dagster and a manual run could overlap)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(path.suffix + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _append(path: Path, lines: list[dict]) -> None:
    if not lines:
        return
    with open(path, "a") as out:
        for line in lines:
            out.write(json.dumps(line, sort_keys=True) + "\n")
        out.flush()
        os.fsync(out.fileno())


def _post(url: str, body: dict) -> str:
    # Checked when the settings were read; checked again here, where it matters.
    settings.check_url("ONBOARDING_ALERTS_URL", url)
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=POST_TIMEOUT_SECONDS) as response:
            return "delivered" if 200 <= response.status < 300 else f"failed: HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"failed: HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return f"failed: {exc}"


def _record(con, rows: list[tuple]) -> None:
    if not rows:
        return
    con.executemany(
        f"insert into {OUTBOX_TABLE} (alert_id, account_id, rule_name, alerted_at, detail, payload, "
        "status, recorded_at, post_status) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def send_new_alerts(con, outbox: OutboxSettings, now: dt.datetime | None = None) -> SendResult:
    """Send every alert of the marts not sent before; returns what happened."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    result = SendResult()
    with _locked(outbox.file):
        con.execute(CREATE_OUTBOX)
        recorded = {
            alert_id for (alert_id,) in con.execute(f"select alert_id from {OUTBOX_TABLE}").fetchall()
        }
        in_file = ids_in_file(outbox.file)
        _record(
            con,
            [
                (i, line["account_id"], line["rule"], line["alerted_at"], line["detail"], json.dumps(line),
                 "sent", now, None)
                for i, line in in_file.items()
                if i not in recorded
            ],
        )  # fmt: skip
        result.recovered = len(in_file.keys() - recorded)
        (as_of,) = con.execute("select max(as_of_at) from intermediate.int_as_of").fetchone()
        cursor = con.execute(CANDIDATES)
        columns = [c[0] for c in cursor.description]
        fresh, stale = [], []
        for values in cursor.fetchall():
            row = dict(zip(columns, values, strict=True))
            if row["alert_id"] in recorded or row["alert_id"] in in_file:
                result.already_sent += 1
            elif is_stale(row["alerted_at"], as_of, outbox.max_age_days):
                stale.append(row)
            else:
                fresh.append(row)
        lines = [{**payload(row), "sent_at": now.isoformat(sep=" ")} for row in fresh]
        # The file first: a run stopped after it is recovered from the file next time.
        _append(outbox.file, lines)
        con.execute("begin transaction")
        _record(
            con,
            [(r["alert_id"], r["account_id"], r["rule_name"], r["alerted_at"], r["detail"], json.dumps(line),
              "sent", now, "pending" if outbox.url else None) for r, line in zip(fresh, lines, strict=True)]
            + [(r["alert_id"], r["account_id"], r["rule_name"], r["alerted_at"], r["detail"],
                json.dumps(payload(r)), "stale", now, None) for r in stale],
        )  # fmt: skip
        con.execute("commit")
        result.sent, result.stale = lines, len(stale)
        if outbox.url:
            _post_pending(con, outbox.url, result)
    return result


def _post_pending(con, url: str, result: SendResult) -> None:
    """POST the alerts sent while a URL was set and not delivered yet: new ones, and
    those whose POST failed before (the receiver said no or could not be reached).
    Alerts sent while no URL was set are never POSTed later."""
    pending = con.execute(
        f"select alert_id, payload from {OUTBOX_TABLE} where status = 'sent' "
        "and (post_status = 'pending' or post_status like 'failed%') order by alerted_at, alert_id"
    ).fetchall()
    for alert_id, body in pending:
        status = _post(url, json.loads(body))
        con.execute(f"update {OUTBOX_TABLE} set post_status = ? where alert_id = ?", [status, alert_id])
        if status == "delivered":
            result.posted += 1
        else:
            result.post_failures += 1


@click.group(name="alerts")
def alerts() -> None:
    """The at-risk alert outbox."""


@alerts.command(name="send")
def send_command() -> None:
    """Send the at-risk alerts not sent before, each once (the outbox file, and a POST to
    ONBOARDING_ALERTS_URL when set); older ones are recorded as stale, never sent."""
    if settings.command_line_check():
        raise SystemExit(2)
    try:
        outbox = OutboxSettings.from_environment()
    except ValueError as exc:
        click.echo(exc, err=True)
        raise SystemExit(2) from None
    if replaying():
        click.echo("ONBOARDING_AS_OF is set (a replay of history): no alert is sent.", err=True)
        return
    with connect_warehouse(warehouse_path()) as con:
        result = send_new_alerts(con, outbox)
    click.echo(
        f"{len(result.sent)} new alerts sent to {outbox.file}"
        f"{f' and {outbox.url}' if outbox.url else ''}; {result.stale} stale (not sent), "
        f"{result.already_sent} recorded before"
    )
    for line in result.sent:
        click.echo(
            f"  {line['alerted_at'][:10]}  {line['account_id']:<12} {line['rule']:<20} {line['detail']}"
        )
