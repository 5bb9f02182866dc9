"""Every metric mart on generated data, against the generator's planted truth
or, where the truth is a sequence of events (funnels, weekly usage), against
the plain-Python reference implementations in tests/support/reference.py."""

import json
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

import pyarrow.parquet as pq
import pytest

from tests.support.reference import (
    funnel_progress,
    funnels_by_account,
    kaplan_meier_median,
    lifecycle_states,
    monthly_mrr,
    paths,
    percentile,
    read_seed,
    resolve_rule,
    retention_insights,
)

pytestmark = pytest.mark.slow
DAY = timedelta(days=1)
FIXED_WINDOWS = (14, 30)


@pytest.fixture(scope="module")
def truth(built):
    accounts = pq.read_table(built.data_dir / "_truth" / "accounts.parquet").to_pylist()
    landed = {
        row["account_id"]: row
        for row in pq.read_table(built.data_dir / "accounts" / "accounts.parquet").to_pylist()
    }
    for row in accounts:
        row["segment"] = row["segment"] or "unknown"
        row["plan"] = landed[row["account_id"]]["plan"] or "unknown"
        row["acquisition_channel"] = landed[row["account_id"]]["acquisition_channel"] or "unknown"
    (as_of,) = built.query("select as_of_at from intermediate.int_as_of")[0]
    return accounts, as_of


def _close(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-6)


def test_activation_rates_equal_truth_by_segment_plan_and_channel(built, truth):
    accounts, as_of = truth
    for dimension in ("segment", "plan", "acquisition_channel"):
        expected = defaultdict(lambda: [0] * 6)
        for row in accounts:
            counts = expected[row[dimension]]
            counts[0] += row["is_activation_window_mature"]
            counts[1] += row["is_activation_window_mature"] and row["is_activated_in_window"]
            for i, days in enumerate(FIXED_WINDOWS, start=1):
                mature = row["signed_up_at"] + days * DAY <= as_of
                activated = (
                    row["activated_at"] is not None
                    and row["activated_at"] <= row["signed_up_at"] + days * DAY
                )
                counts[2 * i] += mature
                counts[2 * i + 1] += mature and activated
        got = {
            key: list(values)
            for key, *values in built.query(f"""
                select {dimension}, sum(mature_accounts), sum(activated_accounts),
                    sum(mature_accounts_14_days), sum(activated_accounts_14_days),
                    sum(mature_accounts_30_days), sum(activated_accounts_30_days)
                from marts.kpi_activation_rate group by all
            """)
        }
        assert got == {k: list(v) for k, v in expected.items()}, dimension
        assert all(v[1] > 0 and v[0] > v[1] for k, v in expected.items() if v[0] > 20), dimension


def test_time_to_first_value_percentiles_and_km_median_equal_truth(built, truth):
    accounts, as_of = truth
    groups = defaultdict(list)
    for row in accounts:
        seconds = ((row["first_value_at"] or as_of) - row["signed_up_at"]).total_seconds()
        for key in (row["segment"], "all"):
            groups[key].append((seconds, row["first_value_at"] is not None))
    got = {
        segment: values
        for segment, *values in built.query(
            "select segment, reached_accounts, censored_accounts, median_days, p75_days, p90_days, "
            "km_median_days from marts.kpi_time_to_first_value where signup_month = 'all'"
        )
    }
    assert set(got) == set(groups)
    for segment, rows in groups.items():
        reached = [s for s, r in rows if r]
        km = kaplan_meier_median([s for s, _ in rows], [r for _, r in rows])
        expected = [
            len(reached),
            len(rows) - len(reached),
            *(None if p is None else p / 86400 for p in (percentile(reached, f) for f in (0.5, 0.75, 0.9))),
            None if km is None else km / 86400,
        ]
        assert got[segment][:2] == expected[:2], segment
        assert all(_close(a, b) for a, b in zip(got[segment][2:], expected[2:], strict=True)), segment
    # Censoring matters on this data: the KM median is above the observed one.
    assert got["all"][5] > got["all"][2] and got["all"][1] > 0


def test_onboarding_completion_and_milestone_steps_equal_truth(built, truth):
    accounts, as_of = truth
    period = {row["segment"]: int(row["onboarding_period_days"]) for row in read_seed("segments")}
    by_account = {row["account_id"]: row for row in accounts}
    reached = defaultdict(dict)
    for row in pq.read_table(built.data_dir / "_truth" / "account_milestones.parquet").to_pylist():
        account = by_account[row["account_id"]]
        end = account["signed_up_at"] + period[account["config_segment"]] * DAY
        reached[row["account_id"]][row["step_number"]] = (
            row["reached_at"] is not None and row["reached_at"] <= end
        )
    completion = defaultdict(lambda: [0, 0])
    steps = defaultdict(int)
    for account_id, by_step in reached.items():
        account = by_account[account_id]
        if account["signed_up_at"] + period[account["config_segment"]] * DAY > as_of:
            continue
        completion[account["segment"]][0] += 1
        completion[account["segment"]][1] += all(by_step.values())
        for step, done in by_step.items():
            steps[(account["config_segment"], step)] += done
    got = {
        segment: [mature, completed]
        for segment, mature, completed in built.query(
            "select segment, sum(mature_accounts), sum(completed_accounts) "
            "from marts.kpi_onboarding_completion group by all"
        )
    }
    assert {k: v for k, v in got.items() if v[0]} == dict(completion)
    got_steps = dict(
        ((segment, step), count)
        for segment, step, count in built.query(
            "select segment, step_number, reached_accounts from marts.kpi_milestone_steps"
        )
    )
    assert got_steps == dict(steps)
    assert 0 < sum(c for _, c in completion.values()) < sum(m for m, _ in completion.values())


def test_logo_retention_equals_truth_for_every_account_and_day(built, truth):
    accounts, _ = truth
    expected = {
        (row["account_id"], day): row[f"is_subscribed_day_{day}"] for row in accounts for day in (30, 60, 90)
    }
    got = {
        (account, day): retained
        for account, day, retained in built.query(
            "select account_id, period_number, is_retained_in_period from marts.fct_account_retention "
            "where period_kind = 'logo_day'"
        )
    }
    assert got == expected
    assert 0 < sum(expected.values()) < len(expected)


@pytest.fixture(scope="module")
def account_events(built):
    """Staged events at or after sign-up, per account: (occurred_at, event_id, name, category)."""
    rows = built.query("""
        select events.account_id, events.occurred_at, events.event_id, events.event_name,
            coalesce(taxonomy.category, 'unknown'), accounts.signed_up_at
        from staging.stg_events as events
        inner join staging.stg_accounts as accounts using (account_id)
        left join config.event_taxonomy as taxonomy using (event_name)
    """)
    by_account = defaultdict(list)
    for account, occurred, event_id, name, category, signed_up in rows:
        if occurred >= signed_up:
            by_account[account].append((occurred, event_id, name, category, signed_up))
    return by_account


@pytest.fixture(scope="module")
def events_with_properties(built):
    """Staged events at or after sign-up, per account: (occurred_at, event_id, name, properties)."""
    rows = built.query("""
        select events.account_id, events.occurred_at, events.event_id, events.event_name, events.properties
        from staging.stg_events as events
        inner join staging.stg_accounts as accounts using (account_id)
        where events.occurred_at >= accounts.signed_up_at
    """)
    events = defaultdict(list)
    for account, occurred, event_id, name, properties in rows:
        events[account].append((occurred, event_id, name, json.loads(properties) if properties else None))
    return events


@pytest.fixture(scope="module")
def reference_funnels(events_with_properties):
    """(funnel, account) -> (furthest step, first step at, converted at, reached times)."""
    return funnels_by_account(events_with_properties, with_reached=True)


def test_funnels_equal_the_reference_implementation_for_every_account(
    built, events_with_properties, reference_funnels
):
    """Every funnel of the seeds (ordered, strict, unordered; step property filters;
    exclusions; any-of steps 'a|b' and a category exclusion) for every account, against
    the reference that enumerates every attempt."""
    events = events_with_properties
    expected = {key: value[:3] for key, value in reference_funnels.items()}
    got = {
        (funnel, account): (furthest, first, converted)
        for funnel, account, furthest, first, converted in built.query(
            "select funnel_name, account_id, furthest_step, first_step_at, converted_at "
            "from marts.fct_funnel_progress"
        )
    }
    differences = [(key, got.get(key), value) for key, value in expected.items() if got.get(key) != value]
    assert differences[:5] == [] and set(got) == set(expected)
    funnels = {row["funnel_name"]: row["funnel_order_type"] for row in read_seed("funnels")}
    assert set(funnels.values()) == {"ordered", "strict", "unordered"}
    for funnel in funnels:
        furthest = [value[0] for key, value in expected.items() if key[0] == funnel]
        # Not a trivial agreement: every funnel has accounts, and some go past step 1.
        assert furthest and max(furthest) >= 2, funnel
    # The exclusion and the property filter change the outcome of some accounts.
    plain = funnels_by_account_without_filters(events)
    assert any(
        plain.get(key) != value for key, value in expected.items() if key[0] == "setup_to_successful_run"
    )
    # The seeds' rules are covered: any-of steps (in an ordered and a strict funnel)
    # and a category exclusion; each any-of step's second event decides some outcome.
    steps = read_seed("funnel_steps")
    assert any("category:" in row["event_name"] for row in read_seed("funnel_exclusions"))
    any_of = [row for row in steps if "|" in row["event_name"]]
    assert {funnels[row["funnel_name"]] for row in any_of} >= {"ordered", "strict"}
    for row in any_of:
        first_only = funnels_by_account_with_rule(events, row, row["event_name"].split("|")[0])
        assert any(
            first_only.get(key) != value for key, value in expected.items() if key[0] == row["funnel_name"]
        )


def funnels_by_account_without_filters(events: dict) -> dict:
    """setup_to_successful_run as a plain ordered funnel of event names (no property
    filter, no exclusion)."""
    steps = [
        row["event_name"]
        for row in read_seed("funnel_steps")
        if row["funnel_name"] == "setup_to_successful_run"
    ]
    window = next(
        float(row["conversion_window_seconds"])
        for row in read_seed("funnels")
        if row["funnel_name"] == "setup_to_successful_run"
    )
    result = {}
    for account, rows in events.items():
        if progress := funnel_progress(rows, steps, window):
            result[("setup_to_successful_run", account)] = progress
    return result


def funnels_by_account_with_rule(events: dict, step: dict, rule: str) -> dict:
    """The funnel of `step` (a funnel_steps row) with that step's rule replaced by `rule`
    (its other steps, window, order type and exclusions as in the seeds)."""
    funnel = step["funnel_name"]
    config = next(row for row in read_seed("funnels") if row["funnel_name"] == funnel)
    taxonomy = read_seed("event_taxonomy")
    steps = [
        (
            resolve_rule(rule if row["step_number"] == step["step_number"] else row["event_name"], taxonomy),
            row["property_key"] or None,
            row["property_value"] or None,
        )
        for row in sorted(read_seed("funnel_steps"), key=lambda r: int(r["step_number"]))
        if row["funnel_name"] == funnel
    ]
    exclusions = tuple(
        (resolve_rule(row["event_name"], taxonomy), int(row["from_step"]), int(row["to_step"]))
        for row in read_seed("funnel_exclusions")
        if row["funnel_name"] == funnel
    )
    result = {}
    for account, rows in events.items():
        window = float(config["conversion_window_seconds"])
        if progress := funnel_progress(rows, steps, window, config["funnel_order_type"], exclusions):
            result[(funnel, account)] = progress
    return result


def test_retention_insights_equal_the_reference(built, truth, events_with_properties):
    """Every retention insight of the seeds (recurring, first_time, first_ever_occurrence;
    day, week, month; cumulative or not), every cohort and interval, against the
    plain-Python reference; immature intervals null in both."""
    _, as_of = truth
    expected = retention_insights(events_with_properties, as_of)
    got = {
        (insight, cohort, interval): (size, retained)
        for insight, cohort, interval, size, retained in built.query(
            "select insight_name, cohort_start, interval_number, cohort_size, retained_accounts "
            "from marts.kpi_retention_insights"
        )
    }
    differences = [(key, got.get(key), value) for key, value in expected.items() if got.get(key) != value]
    assert differences[:5] == [] and set(got) == set(expected)
    for insight in read_seed("retention_insights"):
        rows = [value for key, value in expected.items() if key[0] == insight["insight_name"]]
        # Not trivial: every insight has cohorts, mature intervals after 0 with returns, and immature ones.
        assert any(retained for (size, retained) in rows if retained is not None and retained < size), insight
        assert any(retained is None for _, retained in rows), insight
    # The three retention types give different cohorts on this sample.
    sizes = {
        name: sum(size for key, (size, _) in expected.items() if key[0] == name and key[2] == 0)
        for name in ("first_successful_run_then_logins", "first_run_ever_successful_then_logins")
    }
    assert sizes["first_successful_run_then_logins"] > sizes["first_run_ever_successful_then_logins"] > 0


def test_paths_equal_the_reference_at_every_level(built, events_with_properties, reference_funnels):
    """Every path insight (after sign-up, after an event, before and after a funnel
    drop-off), every level, top paths, "other" and "(ended)", against the reference; the
    funnel drop-offs from the funnel reference."""
    signups = dict(built.query("select account_id, signed_up_at from staging.stg_accounts"))
    drop_offs = {key: value[3][-1] for key, value in reference_funnels.items() if value[2] is None}
    expected = paths(events_with_properties, signups, drop_offs)
    got = {
        (name, level, path): accounts
        for name, level, path, accounts in built.query(
            "select path_name, path_level, event_path, path_accounts from marts.kpi_paths"
        )
    }
    assert got == expected
    for insight in read_seed("path_insights"):
        levels = defaultdict(int)
        for (name, level, _), accounts in expected.items():
            if name == insight["path_name"]:
                levels[level] += accounts
        # Each level sums to the accounts with the starting point; some levels have "other".
        assert len(set(levels.values())) == 1, insight
    assert any(path == "other" for _, _, path in expected)


def test_lifecycle_states_equal_the_reference_for_every_account_week(built, truth, account_events):
    _, as_of = truth
    accounts = {
        account: (signed_up, period, activated)
        for account, signed_up, period, activated in built.query(
            "select accounts.account_id, accounts.signed_up_at, accounts.onboarding_period_days, "
            "activation.activated_at from intermediate.int_accounts as accounts "
            "inner join intermediate.int_account_activation as activation using (account_id)"
        )
    }
    expected = lifecycle_states(account_events, accounts, as_of)
    got = {
        (account, week): state
        for account, week, state in built.query(
            "select account_id, week_number, lifecycle_state from intermediate.int_account_lifecycle_weeks"
        )
    }
    differences = [(key, got.get(key), value) for key, value in expected.items() if got.get(key) != value]
    assert differences[:5] == [] and set(got) == set(expected)
    # Every state occurs on the sample.
    assert set(expected.values()) == {
        "new",
        "onboarding",
        "activated",
        "engaged",
        "at_risk",
        "dormant",
        "resurrected",
        "churned",
    }


def test_weekly_usage_equals_the_reference_for_every_account(built, account_events):
    expected = defaultdict(int)
    for account, rows in account_events.items():
        for occurred, _, _, category, signed_up in rows:
            if category != "outreach":
                expected[(account, (occurred - signed_up) // timedelta(days=7))] += 1
    got = {
        (account, week): events
        for account, week, events in built.query(
            "select account_id, week_number, usage_events from intermediate.int_account_weekly_usage"
        )
    }
    assert got == dict(expected)


def test_experiment_counts_equal_truth_and_the_planted_lift_is_inside_the_interval(built, truth):
    accounts, _ = truth
    expected = defaultdict(lambda: [0, 0, 0])
    for row in accounts:
        if row["onboarding_variant"] is not None:
            counts = expected[row["onboarding_variant"]]
            counts[0] += 1
            counts[1] += row["is_activation_window_mature"]
            counts[2] += row["is_activation_window_mature"] and row["is_activated_in_window"]
    rows = {
        variant: rest
        for variant, *rest in built.query("""
            select variant, assigned_accounts, mature_accounts, activated_accounts,
                difference_ci_low, difference_ci_high, sample_ratio_p_value
            from marts.kpi_onboarding_experiments
        """)
    }
    assert {variant: values[:3] for variant, values in rows.items()} == dict(expected)
    arms = built.summary["planted"]["activation_in_window_probability_by_variant"]
    planted_lift = arms["guided_setup"] - arms["control"]
    low, high, srm_p_value = rows["guided_setup"][3:]
    assert low <= planted_lift <= high, (planted_lift, low, high)
    assert srm_p_value > 0.001  # assignment is a fair coin in the generator


def test_monthly_mrr_and_movements_equal_a_reference_over_the_generated_subscriptions(built, truth):
    accounts, as_of = truth
    periods = pq.read_table(built.data_dir / "subscriptions" / "subscriptions.parquet").to_pylist()
    for period in periods:
        for column in ("period_start", "period_end"):
            period[column] = None if period[column] is None else datetime.fromisoformat(period[column])
        period["mrr"] = Decimal(str(period["mrr"]))
    expected = monthly_mrr(periods, {row["account_id"]: row["signed_up_at"] for row in accounts}, as_of)
    got = {
        (account, month): mrr
        for account, month, mrr in built.query(
            "select account_id, revenue_month, mrr from intermediate.int_account_monthly_mrr"
        )
    }
    assert got == expected
    assert sum(1 for mrr in expected.values() if mrr > 0) > 100  # not a trivial agreement

    # Movements per month, recomputed from the reference MRR.
    movements = defaultdict(lambda: defaultdict(Decimal))
    by_account = defaultdict(list)
    for (account, month), mrr in sorted(expected.items()):
        by_account[account].append((month, mrr))
    for series in by_account.values():
        previous, paid_before = Decimal(0), False
        for month, mrr in series:
            if previous == 0 and mrr > 0:
                kind = "reactivation" if paid_before else "new"
            elif previous > 0 and mrr == 0:
                kind = "churn"
            elif previous > 0 and mrr != previous:
                kind = "expansion" if mrr > previous else "contraction"
            else:
                kind = None
            if kind:
                movements[month][kind] += mrr - previous
            paid_before, previous = paid_before or mrr > 0, mrr
    rows = built.query("""
        select revenue_month, new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr
        from marts.kpi_mrr_monthly
    """)
    kinds = ("new", "expansion", "contraction", "churn", "reactivation")
    assert {month: tuple(values) for month, *values in rows} == {
        month: tuple(movements[month][k] for k in kinds) for month, *_ in rows
    }
    assert any(movements[m]["churn"] for m in movements) and any(movements[m]["expansion"] for m in movements)


def test_feedback_equals_truth_over_the_generated_surveys(built, truth):
    accounts, _ = truth
    by_id = {row["account_id"]: row for row in accounts}
    responses = [
        r
        for r in pq.read_table(built.data_dir / "surveys" / "surveys.parquet").to_pylist()
        if r["account_id"] in by_id
        and datetime.fromisoformat(r["submitted_at"]) >= by_id[r["account_id"]]["signed_up_at"]
    ]
    onboarding = [r for r in responses if r["survey_type"] == "onboarding_satisfaction"]
    csat = [
        int(r["score"])
        for r in responses
        if r["survey_type"] == "csat"
        and by_id[r["account_id"]]["activated_at"] is not None
        and by_id[r["account_id"]]["activated_at"] <= datetime.fromisoformat(r["submitted_at"])
    ]
    nps = [int(r["score"]) for r in responses if r["survey_type"] == "nps"]
    ((signed_up, rate, satisfaction, csat_n, csat_average, nps_n, nps_score),) = built.query("""
        select signed_up_accounts, onboarding_response_rate, onboarding_satisfaction_average,
            csat_responses_after_activation, csat_average_after_activation, nps_responses, nps
        from marts.kpi_feedback where signup_month = 'all' and segment = 'all'
    """)
    assert signed_up == len(accounts)
    assert _close(rate, len({r["account_id"] for r in onboarding}) / len(accounts))
    assert _close(satisfaction, sum(int(r["score"]) for r in onboarding) / len(onboarding))
    assert (csat_n, nps_n) == (len(csat), len(nps)) and csat and nps
    assert _close(csat_average, sum(csat) / len(csat))
    promoters, detractors = sum(s >= 9 for s in nps), sum(s <= 6 for s in nps)
    assert _close(nps_score, 100 * (promoters - detractors) / len(nps))
