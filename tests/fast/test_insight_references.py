"""The plain-Python references of the insights (tests/support/reference.py) on the
hand-written cases of the models' dbt unit tests: both implementations must give the
expected rows on the named edge cases before they are compared on generated data."""

from datetime import datetime, timedelta

from tests.support.reference import funnel_progress, lifecycle_states, paths, resolve_rule, retention_insights

T = datetime(2026, 1, 1, 10, 0)
HOUR = 3600


def at(minutes: float) -> datetime:
    return T + timedelta(minutes=minutes)


def events(*rows) -> list[tuple]:
    return [
        (at(minutes), f"e{i:02d}", name, properties) for i, (minutes, name, properties) in enumerate(rows)
    ]


def test_ordered_window_is_inclusive_and_a_a_b_counts_from_the_second_a():
    assert funnel_progress(events((0, "a", None), (60, "b", None)), ["a", "b"], HOUR) == (2, at(0), at(60))
    late = events((0, "a", None), (60 + 1 / 60000, "b", None))
    assert funnel_progress(late, ["a", "b"], HOUR)[0] == 1
    assert funnel_progress(events((0, "a", None), (30, "a", None), (75, "b", None)), ["a", "b"], HOUR) == (
        2,
        at(30),
        at(75),
    )


def test_a_step_property_filter_must_match():
    steps = [("a", None, None), ("b", "status", "success")]
    rows = events((0, "a", None), (10, "b", {"status": "failed"}), (20, "b", {"status": "success"}))
    assert funnel_progress(rows, steps, HOUR) == (2, at(0), at(20))
    assert funnel_progress(events((0, "a", None), (10, "b", None)), steps, HOUR)[0] == 1


def test_strict_needs_no_funnel_event_between_steps():
    steps = ["a", "b", "c"]

    def strict(rows):
        return funnel_progress(rows, steps, HOUR, "strict")

    assert strict(events((0, "a", None), (5, "a", None), (10, "b", None)))[:2] == (
        2,
        at(5),
    )
    assert strict(events((0, "a", None), (5, "c", None), (10, "b", None)))[0] == 1
    tie = [(at(0), "z_a", "a", None), (at(0), "a_b", "b", None)]
    assert strict(tie)[0] == 2


TAXONOMY = [
    {"event_name": "created", "category": "core_action"},
    {"event_name": "shared", "category": "core_action"},
    {"event_name": "failed", "category": "failure"},
    {"event_name": "help_article_viewed", "category": "help_view"},
]


def test_event_rules_any_of_and_category():
    assert resolve_rule("b | c", TAXONOMY) == {"b", "c"}
    assert resolve_rule("category:core_action", TAXONOMY) == {"created", "shared"}
    assert resolve_rule("x|category:failure", TAXONOMY) == {"x", "failed"}
    assert resolve_rule("category:unknown", TAXONOMY) == set()


def test_an_any_of_step_is_filled_by_either_event():
    steps = [("a", None, None), (resolve_rule("b | c", TAXONOMY), None, None)]
    assert funnel_progress(events((0, "a", None), (10, "b", None)), steps, HOUR) == (2, at(0), at(10))
    assert funnel_progress(events((0, "a", None), (10, "c", None)), steps, HOUR) == (2, at(0), at(10))
    assert funnel_progress(events((0, "a", None), (10, "d", None)), steps, HOUR)[0] == 1


def test_a_category_step_and_a_category_exclusion():
    steps = [("a", None, None), (resolve_rule("category:core_action", TAXONOMY), None, None)]
    exclusions = ((resolve_rule("category:failure", TAXONOMY), 1, 2),)

    def ordered(rows):
        return funnel_progress(rows, steps, HOUR, "ordered", exclusions)

    assert ordered(events((0, "a", None), (10, "shared", None))) == (2, at(0), at(10))
    assert ordered(events((0, "a", None), (10, "page_viewed", None)))[0] == 1
    assert ordered(events((0, "a", None), (5, "failed", None), (10, "created", None))) is None
    assert ordered(events((0, "a", None), (5, "created", None), (10, "failed", None)))[0] == 2


def test_strict_broken_by_an_event_of_a_category_step():
    steps = [("a", None, None), ("b", None, None), (resolve_rule("category:help_view", TAXONOMY), None, None)]

    def strict(rows):
        return funnel_progress(rows, steps, HOUR, "strict")

    assert strict(events((0, "a", None), (5, "help_article_viewed", None), (10, "b", None)))[0] == 1
    assert strict(events((0, "a", None), (5, "b", None), (10, "help_article_viewed", None)))[0] == 3
    assert strict(events((0, "a", None), (5, "page_viewed", None), (10, "b", None)))[0] == 2


def test_unordered_steps_in_any_order_within_the_window():
    steps = ["a", "b", "c"]

    def unordered(rows):
        return funnel_progress(rows, steps, HOUR, "unordered")

    rows = events((0, "c", None), (20, "a", None), (60, "b", None))
    assert funnel_progress(rows, steps, HOUR, "unordered", with_reached=True)[3] == [at(0), at(20), at(60)]
    assert unordered(events((0, "b", None), (120, "c", None)))[:2] == (
        1,
        at(120),
    )
    assert unordered(events((0, "a", None), (10, "a", None)))[:2] == (
        1,
        at(10),
    )


def test_an_exclusion_event_disqualifies_the_attempt():
    steps, exclusion = ["a", "b", "c"], (("x", 1, 2),)

    def progress(*rows):
        return funnel_progress(events(*rows), steps, HOUR, "ordered", exclusion)

    assert progress((0, "a", None), (5, "x", None), (10, "b", None), (15, "c", None)) is None
    assert progress((0, "a", None), (0, "x", None), (10, "b", None))[0] == 2
    assert progress((0, "a", None), (5, "b", None), (10, "x", None), (15, "c", None))[0] == 3
    assert progress((0, "a", None), (5, "x", None), (10, "a", None), (15, "b", None))[:2] == (2, at(10))
    assert progress((0, "a", None), (30, "x", None)) is None
    assert progress((0, "a", None), (120, "x", None))[0] == 1


def test_retention_types_and_period_boundaries():
    """int_account_retention_intervals__retention_types_and_period_boundaries."""
    base = {
        "target_event": "a",
        "returning_event": "b",
        "period": "week",
        "total_intervals": "3",
        "cumulative": "false",
    }
    filtered = {"target_property_key": "status", "target_property_value": "ok"}
    insights = [
        {
            **base,
            "insight_name": "r",
            "retention_type": "recurring",
            "target_property_key": "",
            "target_property_value": "",
        },
        {**base, **filtered, "insight_name": "f", "retention_type": "first_time"},
        {**base, **filtered, "insight_name": "e", "retention_type": "first_ever_occurrence"},
    ]
    rows = {
        "x": [
            (datetime(2026, 1, 5, 10), "1", "a", {"status": "bad"}),
            (datetime(2026, 1, 12, 10), "2", "a", {"status": "ok"}),
            (datetime(2026, 1, 18, 23, 59, 59, 999000), "3", "b", None),
            (datetime(2026, 1, 19), "4", "b", None),
        ],
        "y": [
            (datetime(2026, 1, 5, 10), "5", "a", {"status": "ok"}),
            (datetime(2026, 1, 5, 10), "6", "b", None),
        ],
        "z": [(datetime(2026, 1, 5, 10), "7", "b", None)],
    }
    got = retention_insights(rows, datetime(2026, 1, 25, 23, 59, 59, 999000), insights)
    week1, week2 = datetime(2026, 1, 5), datetime(2026, 1, 12)
    assert got == {
        ("r", week1, 0): (2, 2),
        ("r", week1, 1): (2, 1),
        ("r", week1, 2): (2, 1),
        ("r", week2, 0): (1, 1),
        ("r", week2, 1): (1, 1),
        ("r", week2, 2): (1, None),
        ("f", week1, 0): (1, 1),
        ("f", week1, 1): (1, 0),
        ("f", week1, 2): (1, 0),
        ("f", week2, 0): (1, 1),
        ("f", week2, 1): (1, 1),
        ("f", week2, 2): (1, None),
        ("e", week1, 0): (1, 1),
        ("e", week1, 1): (1, 0),
        ("e", week1, 2): (1, 0),
    }


def test_paths_starts_directions_repeats_and_ties():
    """int_account_paths__starts_directions_repeats_and_ties, and the levels of fct_account_path_levels."""
    day = datetime(2026, 1, 1)
    rows = {
        "x": [
            (day, "e1", "a"),
            (day + timedelta(hours=1), "e2", "a"),
            (day + timedelta(hours=2), "e4", "c"),
            (day + timedelta(hours=2), "e3", "b"),
            (day + timedelta(hours=3), "e5", "d"),
        ]
    }
    insights = [
        {
            "path_name": "s",
            "start_type": "sign_up",
            "start_event": "",
            "direction": "after",
            "path_steps": "3",
            "top_n": "5",
        },
        {
            "path_name": "e",
            "start_type": "event",
            "start_event": "c",
            "direction": "after",
            "path_steps": "2",
            "top_n": "5",
        },
        {
            "path_name": "d",
            "start_type": "funnel_drop_off",
            "start_event": "f",
            "direction": "before",
            "path_steps": "2",
            "top_n": "1",
        },
    ]
    got = paths(rows, {"x": day, "quiet": day}, {("f", "x"): day + timedelta(hours=2)}, insights)
    assert got == {
        ("s", 1, "a"): 1,
        ("s", 1, "(ended)"): 1,
        ("s", 2, "a > b"): 1,
        ("s", 2, "(ended)"): 1,
        ("s", 3, "a > b > c"): 1,
        ("s", 3, "(ended)"): 1,
        ("e", 1, "d"): 1,
        ("e", 2, "(ended)"): 1,
        ("d", 1, "a"): 1,
        ("d", 2, "(ended)"): 1,
    }


def test_lifecycle_every_state_in_order():
    """int_account_lifecycle_weeks__every_state_in_order."""
    signed_up = datetime(2026, 1, 1)
    days = [
        (0, "core_action"),
        (8, "login"),
        (14, "core_action"),
        (15, "login"),
        (15, "login"),
        (16, "login"),
    ]
    days += [(21, "login"), (29, "outreach"), (60, "login")]
    rows = {
        "x": [(signed_up + timedelta(days=d), str(i), "e", category) for i, (d, category) in enumerate(days)]
    }
    accounts = {"x": (signed_up, 14, datetime(2026, 1, 15, 10)), "quiet": (datetime(2026, 2, 12), 14, None)}
    settings = {
        "engaged_min_active_days": 3,
        "dormant_after_inactive_weeks": 2,
        "churned_after_inactive_weeks": 4,
    }
    got = lifecycle_states(rows, accounts, datetime(2026, 3, 4, 23, 59, 59, 999000), 12, settings)
    assert [got[("x", week)] for week in range(9)] == [
        "new",
        "onboarding",
        "engaged",
        "activated",
        "at_risk",
        "dormant",
        "dormant",
        "churned",
        "resurrected",
    ]
    assert ("x", 9) not in got
    assert [got[("quiet", week)] for week in range(3)] == ["new", "onboarding", "dormant"]
    assert ("quiet", 3) not in got
    back = {"back": [(signed_up + timedelta(days=d), str(d), "e", "login") for d in (0, 8, 29)]}
    got = lifecycle_states(
        back, {"back": (signed_up, 14, datetime(2026, 1, 2))}, datetime(2026, 3, 5), 12, settings
    )
    assert [got[("back", week)] for week in range(9)] == [
        "new",
        "activated",
        "at_risk",
        "dormant",
        "resurrected",
        "at_risk",
        "dormant",
        "dormant",
        "churned",
    ]
