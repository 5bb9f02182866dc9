"""At-risk accounts on generated data: the planted risk patterns are found on their
day, and the alerts outbox sends each alert once across re-runs, a replay of the
same dates, a lost outbox table, and a receiver that fails once."""

import datetime as dt
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.alerts.outbox import OUTBOX_TABLE, OutboxSettings, ids_in_file, send_new_alerts
from tests.support.commands import run_dbt

pytestmark = pytest.mark.slow
# Every model between the as-of instant and the alerts (the day spine, each rule family).
RISK_MODELS = ["int_as_of+,+fct_at_risk_alerts"]


def test_every_planted_risk_pattern_fires_on_its_day_with_its_subject(built):
    planted = pq.read_table(built.data_dir / "_truth" / "risk_patterns.parquet").to_pylist()
    assert {row["rule_name"] for row in planted} == {"repeated_help_topic", "repeated_failures", "no_login"}
    fired = {
        (account, rule, day): (subject, occurrences)
        for account, rule, day, subject, occurrences in built.query(
            "select account_id, rule_name, day_number, rule_subject, occurrences "
            "from marts.fct_account_risk_signals"
        )
    }
    for row in planted:
        key = (row["account_id"], row["rule_name"], row["day_number"])
        assert key in fired, key
        subject, occurrences = fired[key]
        assert subject == row["rule_subject"], key
        assert occurrences >= (4 if row["rule_name"] == "no_login" else 5), key
    # Each planted account is alerted for its rule (on the alert of the day the rule first
    # fired, which lists it), on the planted day or earlier.
    alerts = {
        (account, rule): (day, rules)
        for account, rule, day, rules in built.query("""
            with firsts as (
                select account_id, rule_name, min(day_number) as day_number
                from marts.fct_account_risk_signals group by all
            )
            select firsts.account_id, firsts.rule_name, alerts.alert_day_number, alerts.rule_names
            from firsts
            inner join marts.fct_at_risk_alerts as alerts
                on firsts.account_id = alerts.account_id and firsts.day_number = alerts.alert_day_number
        """)
    }
    for row in planted:
        day, rules = alerts[(row["account_id"], row["rule_name"])]
        assert day <= row["day_number"] and row["rule_name"] in rules.split(", ")


def test_signals_are_evaluated_before_activation_only_and_rescue_adds_up(built):
    (after_activation,) = built.query("""
        select count(*) from marts.fct_account_risk_signals as signals
        inner join marts.fct_account_onboarding as accounts on signals.account_id = accounts.account_id
        where accounts.activated_at < signals.day_ends_at
    """)[0]
    assert after_activation == 0
    rows = built.query("""
        select rule_name, alerted_accounts, rescued_accounts, rescue_rate
        from marts.kpi_at_risk_rescue where segment = 'all'
    """)
    per_rule = {rule: (alerted, rescued, rate) for rule, alerted, rescued, rate in rows}
    counted = dict(
        built.query("""
            select signals.rule_name, count(distinct signals.account_id)
            from marts.fct_account_risk_signals as signals
            inner join marts.fct_at_risk_alerts as alerts on signals.account_id = alerts.account_id
            where alerts.is_rescued group by 1
        """)
    )
    for rule, (alerted, rescued, rate) in per_rule.items():
        if rule != "any_rule":
            assert rescued == counted.get(rule, 0)
        assert abs(rate - rescued / alerted) < 1e-9
    (accounts,) = built.query("select count(distinct account_id) from marts.fct_at_risk_alerts")[0]
    assert per_rule["any_rule"][0] == accounts > 0


@pytest.fixture
def outbox_warehouse(built, tmp_path):
    """A copy of the built warehouse, for tests that write the outbox and rebuild the alerts."""
    warehouse = tmp_path / "onboarding.duckdb"
    shutil.copy(built.warehouse, warehouse)
    env = {**built.env, "ONBOARDING_WAREHOUSE": str(warehouse)}
    return warehouse, env


def _rebuild_alerts(env: dict, as_of: str | None = None) -> None:
    extra = {"ONBOARDING_AS_OF": as_of} if as_of else {}
    run_dbt(["run", "--quiet", "-s", *RISK_MODELS], {**env, **extra})


def _send(warehouse, settings: OutboxSettings):
    with duckdb.connect(str(warehouse)) as con:
        return send_new_alerts(con, settings)


def _outbox(warehouse) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select alert_id, status, post_status from {OUTBOX_TABLE}").fetchall()


def test_each_alert_is_sent_once_across_reruns_a_replayed_range_and_a_lost_table(
    built, outbox_warehouse, tmp_path
):
    warehouse, env = outbox_warehouse
    settings = OutboxSettings(file=tmp_path / "alerts.jsonl", url=None, max_age_days=3)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (as_of,) = con.execute("select as_of_at from intermediate.int_as_of").fetchone()
    earlier = (as_of.replace(microsecond=0) - dt.timedelta(days=20)).isoformat(sep=" ")

    # Day by day as it happened: the state 20 days ago, then today.
    _rebuild_alerts(env, earlier)
    first = _send(warehouse, settings)
    assert first.sent and first.stale  # recent alerts go out, older history does not
    assert _send(warehouse, settings).sent == []  # a re-run sends nothing
    _rebuild_alerts(env)
    second = _send(warehouse, settings)
    assert second.sent
    # A backfill replays the same dates: nothing is sent twice.
    _rebuild_alerts(env, earlier)
    assert _send(warehouse, settings).sent == []

    lines = settings.file.read_text().splitlines()
    ids = [json.loads(line)["alert_id"] for line in lines]
    assert len(ids) == len(set(ids)) == len(first.sent) + len(second.sent)
    recorded = _outbox(warehouse)
    assert len(recorded) == len({alert_id for alert_id, _, _ in recorded})
    # Every alert of today's mart (the shared build's) within its owner's cap is recorded
    # once, sent or stale; the overflow never is.
    sendable = built.query("select alert_id from marts.fct_at_risk_alerts where queue_status = 'send'")
    assert {alert_id for alert_id, _, _ in recorded} == {alert_id for (alert_id,) in sendable}
    assert {a for a, status, _ in recorded if status == "sent"} == set(ids)

    # The table is lost (a new warehouse): the file still counts, nothing is sent again.
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"drop table {OUTBOX_TABLE}")
    again = _send(warehouse, settings)
    assert again.sent == [] and again.recovered == len(ids)
    assert set(ids_in_file(settings.file)) == set(ids)


class _Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []
    fail_next = 1

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if _Receiver.fail_next:
            _Receiver.fail_next -= 1
            self.send_response(503)
        else:
            _Receiver.received.append(body)
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_alerts_are_posted_once_and_a_refused_post_is_retried(outbox_warehouse, tmp_path):
    warehouse, _ = outbox_warehouse
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/alerts"
        settings = OutboxSettings(file=tmp_path / "alerts.jsonl", url=url, max_age_days=3)
        first = _send(warehouse, settings)
        assert first.sent and first.post_failures == 1 and first.posted == len(first.sent) - 1
        second = _send(warehouse, settings)
        assert second.sent == [] and (second.posted, second.post_failures) == (1, 0)
        assert _send(warehouse, settings).posted == 0
    finally:
        server.shutdown()
    received = [body["alert_id"] for body in _Receiver.received]
    assert sorted(received) == sorted(line["alert_id"] for line in first.sent)
    assert {post for _, status, post in _outbox(warehouse) if status == "sent"} == {"delivered"}


# --- issue 16 item 5: alerts a CSM can act on ------------------------------------------------


def test_one_alert_per_account_and_day_listing_every_rule_firing_that_day(built):
    (duplicates,) = built.query(
        "select count(*) - count(distinct account_id || ':' || alert_day_number) "
        "from marts.fct_at_risk_alerts"
    )[0]
    assert duplicates == 0
    listed = {
        (account, day): set(rules.split(", "))
        for account, day, rules in built.query(
            "select account_id, alert_day_number, rule_names from marts.fct_at_risk_alerts"
        )
    }
    fired: dict = {}
    for account, day, rule in built.query(
        "select account_id, day_number, rule_name from marts.fct_account_risk_signals"
    ):
        fired.setdefault((account, day), set()).add(rule)
    firsts = built.query(
        "select account_id, min(day_number) from marts.fct_account_risk_signals "
        "group by account_id, rule_name"
    )
    # An alert on each day a rule first fires for the account, and on no other day.
    assert set(listed) == {(account, day) for account, day in firsts}
    assert all(listed[key] == fired[key] for key in listed)


def test_each_owners_daily_queue_is_capped_most_likely_to_miss_first_and_the_overflow_is_kept(built):
    queues: dict = {}
    for on, segment, owner, rank, cap, status, miss in built.query("""
        select alerted_on, config_segment, owner_role, queue_rank, daily_cap, queue_status, miss_likelihood
        from marts.fct_at_risk_alerts order by alerted_on, config_segment, owner_role, queue_rank
    """):
        queues.setdefault((on, segment, owner), []).append((rank, cap, status, miss))
    overflow = 0
    for key, rows in queues.items():
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1)), key
        assert [r[2] for r in rows] == ["send" if r[0] <= r[1] else "overflow" for r in rows], key
        scored = [r[3] for r in rows if r[3] is not None]
        assert scored == sorted(scored, reverse=True), key  # most likely to miss activation first
        assert all(r[3] is None for r in rows[len(scored) :]), key  # unscored last
        overflow += sum(r[2] == "overflow" for r in rows)
    ((sent, overflowed, alerts),) = built.query(
        "select sent_alerts, overflow_alerts, alerts from marts.kpi_at_risk_rescue "
        "where rule_name = 'any_rule' and segment = 'all'"
    )
    assert overflowed == overflow and sent + overflowed == alerts == sum(len(r) for r in queues.values())
    # The shared build ran the prediction step: alerts are ranked by the model where one was trained.
    (scored,) = built.query(
        "select count(*) from marts.fct_at_risk_alerts where miss_likelihood is not null"
    )[0]
    assert scored > 0


def test_alert_precision_against_the_base_rate(built):
    """Precision: the share of alerted accounts past their window that did not activate in it,
    recomputed here from the alerts and the onboarding facts; alerts beat the base rate."""
    ((alerted_missed, alerted_mature),) = built.query("""
        select count(distinct account_id) filter (where missed_activation),
               count(distinct account_id) filter (where is_activation_window_mature)
        from marts.fct_at_risk_alerts""")
    ((missed, mature),) = built.query("""
        select count(*) filter (where is_activation_window_mature and not is_activated_in_window),
               count(*) filter (where is_activation_window_mature)
        from marts.fct_account_onboarding""")
    ((alert_precision, base_rate, lift),) = built.query(
        "select alert_precision, base_rate, precision_lift from marts.kpi_at_risk_rescue "
        "where rule_name = 'any_rule' and segment = 'all'"
    )
    assert alert_precision == pytest.approx(alerted_missed / alerted_mature)
    assert base_rate == pytest.approx(missed / mature)
    assert lift == pytest.approx(alert_precision / base_rate) and lift > 1.2


def test_no_login_alerts_only_accounts_that_had_a_login_like_event(built):
    (unexpected,) = built.query("""
        select count(*) from marts.fct_account_risk_signals as signals
        where signals.rule_name = 'no_login' and not exists (
            select 1 from intermediate.int_account_events as events
            where events.account_id = signals.account_id and events.event_category = 'login'
              and events.occurred_at < signals.day_ends_at)
    """)[0]
    assert unexpected == 0
    # Accounts that signed up and never did anything are never flagged "no login".
    abandoned = {
        a
        for (a,) in built.query(
            f"select account_id from {built.truth('accounts')} where outcome = 'abandoned'"
        )
    }
    flagged = {
        a
        for (a,) in built.query(
            "select distinct account_id from marts.fct_account_risk_signals where rule_name = 'no_login'"
        )
    }
    assert abandoned and not (abandoned & flagged)
