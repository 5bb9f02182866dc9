"""Milestone discovery and the onboarding experiment on the `outcomes` build (a
generated year and more, 1,500 accounts), against the generator's planted truth."""

from collections import Counter
from datetime import timedelta

import pytest

from tests.support.reference import read_seed

pytestmark = pytest.mark.slow
DAY = timedelta(days=1)


def _planted_activation_candidate(segment: str) -> str:
    (rule,) = [r for r in read_seed("milestones") if r["segment"] == segment and r["is_activation"] == "true"]
    action = rule["event_name"]
    if rule["property_key"]:
        action += f"[{rule['property_key']}={rule['property_value']}]"
    return f"{action} x{rule['min_count']}"


def test_the_planted_activation_action_comes_out_on_top_of_discovery(outcomes):
    planted = outcomes.summary["planted"]["activation_milestone_by_segment"]["smb"]
    candidate = _planted_activation_candidate("smb")
    assert candidate == f"{planted['event_name']}[status=success] x{planted['min_count']}"
    ranked = outcomes.query("""
        select candidate_name, retained_share, churned_share, lift, separation
        from marts.kpi_activation_candidates
        where segment = 'smb' and candidate_rank is not null
        order by candidate_rank
    """)
    assert len(ranked) >= 30
    top, runner_up = ranked[0], ranked[1]
    assert top[0] == candidate, ranked[:3]
    assert top[4] > runner_up[4]
    assert top[3] > 1.5  # the retained did it far more often than the churned


def test_discovery_counts_equal_the_planted_retention_and_activation(outcomes):
    (as_of,) = outcomes.query("select as_of_at from intermediate.int_as_of")[0]
    expected = Counter()
    for row in outcomes.accounts:
        if row["segment"] != "smb" or row["signed_up_at"] + 181 * DAY > as_of:
            continue  # day 180 not complete: outcome unknown
        retained = row["is_subscribed_day_180"]
        # smb activation = the 3rd successful run: before it, only the planted runs succeed.
        did = row["activated_at"] is not None and row["activated_at"] <= row["signed_up_at"] + 30 * DAY
        expected["retained" if retained else "churned"] += 1
        expected[("retained" if retained else "churned", "did")] += did
    ((retained, churned, retained_did, churned_did),) = outcomes.query(f"""
        select retained_accounts, churned_accounts, retained_did_accounts, churned_did_accounts
        from marts.kpi_activation_candidates
        where segment = 'smb' and candidate_name = '{_planted_activation_candidate("smb")}'
    """)
    assert (retained, churned) == (expected["retained"], expected["churned"])
    assert (retained_did, churned_did) == (expected[("retained", "did")], expected[("churned", "did")])
    assert retained > 200 and churned > 50


def test_the_experiment_interval_holds_the_planted_lift_on_a_large_sample(outcomes):
    counts = Counter()
    for row in outcomes.accounts:
        variant = row["onboarding_variant"]
        if variant is not None and row["is_activation_window_mature"]:
            counts[(variant, "mature")] += 1
            counts[(variant, "activated")] += row["is_activated_in_window"]
    rows = {
        variant: rest
        for variant, *rest in outcomes.query("""
            select variant, mature_accounts, activated_accounts, difference_ci_low, difference_ci_high,
                p_value, sample_ratio_p_value
            from marts.kpi_onboarding_experiments
        """)
    }
    for variant, (mature, activated, *_) in rows.items():
        assert (mature, activated) == (counts[(variant, "mature")], counts[(variant, "activated")])
    arms = outcomes.summary["planted"]["activation_in_window_probability_by_variant"]
    planted_lift = arms["guided_setup"] - arms["control"]
    mature, _, low, high, p_value, srm_p_value = rows["guided_setup"]
    assert mature > 500  # per arm: the interval is about +-0.06 wide, narrower than the lift
    assert low <= planted_lift <= high, (planted_lift, low, high)
    assert low > 0 and p_value < 0.05  # the lift is detected, not merely not excluded
    assert srm_p_value > 0.001  # assignment is a fair coin in the generator
