"""Predict and act, pure Python (issue 18): the leakage rule of the propensity models on
hand-made rows, and the status pages' escaping of what comes from the data. The same
rules on generated data: tests/pipeline/test_predict.py."""

import datetime as dt

import numpy as np

from orchestration.predict import propensity
from orchestration.serving.status_pages import environment


def _frame(rows: list[dict]) -> propensity.Frame:
    columns = {}
    for name in propensity.COLUMNS:
        values = [row.get(name) for row in rows]
        if name in ("account_id", *propensity.CATEGORICAL_FEATURES):
            columns[name] = np.array([v or "x" for v in values], dtype=object)
        elif name.endswith("_at"):
            columns[name] = np.array([np.datetime64(v or "NaT", "us") for v in values])
        else:
            columns[name] = np.array([np.nan if v is None else float(v) for v in values])
    return propensity.Frame(columns)


def test_the_leakage_rule_trains_only_on_outcomes_known_at_the_cutoff_and_validates_on_later_signups():
    cutoff = dt.datetime(2026, 3, 1)
    rows = [
        # Known before the cutoff: in the training pool.
        {"account_id": f"a{i}", "signed_up_at": f"2026-01-{i + 1:02d}", "day_number": 0,
         "days_left_in_window": 5, "is_activated": 0, "is_activated_in_window": i % 2,
         "activation_label_known_at": f"2026-01-{i + 8:02d}"}
        for i in range(10)
    ] + [
        # Its outcome is known, but only after the cutoff: never learnt from.
        {"account_id": "late", "signed_up_at": "2026-02-25", "day_number": 0, "days_left_in_window": 5,
         "is_activated": 0, "is_activated_in_window": 1, "activation_label_known_at": "2026-03-04"},
        # Already activated that day: not a row the activation model learns from.
        {"account_id": "done", "signed_up_at": "2026-01-01", "day_number": 3, "days_left_in_window": 3,
         "is_activated": 1, "is_activated_in_window": 1, "activation_label_known_at": "2026-01-08"},
    ]  # fmt: skip
    frame = _frame(rows)
    target = propensity.TARGETS[0]
    pool = propensity.training_rows(frame, target, cutoff)
    assert {frame["account_id"][r] for r in pool} == {f"a{i}" for i in range(10)}
    fit, calibrate, validate = propensity.split_by_signup(frame, pool)
    signed = frame["signed_up_at"]
    assert signed[fit].max() < signed[calibrate].min() and signed[calibrate].max() < signed[validate].min()
    assert {frame["account_id"][r] for r in validate} == {"a8", "a9"}
    # Too few accounts: no model, a reason, never a guess.
    version = propensity.train_version(frame, target, cutoff)
    assert version.model is None and version.status.startswith("too few matured accounts")


def test_status_pages_escape_what_comes_from_the_data():
    assert environment().get_template("status_page.html.j2")  # the template compiles
    page = environment().from_string("<p>{{ name }}</p>").render(name="<script>x</script>")
    assert page == "<p>&lt;script&gt;x&lt;/script&gt;</p>"
