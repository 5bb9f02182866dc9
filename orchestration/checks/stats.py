"""The statistics of the drift checks: pure functions of numbers, no I/O.

Each `*_drift` function judges one landing date and returns an `Outcome` with
the measured value, the threshold and whatever explains the verdict.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MAD_TO_SD = 1.4826  # MAD of a normal sample times this estimates its standard deviation


@dataclass(frozen=True)
class Outcome:
    """The verdict of one check on one day."""

    passed: bool
    value: float | None
    threshold: float
    judged: bool = True  # False when there was too little data to judge (then it passes)
    details: Mapping[str, Any] = field(default_factory=dict)
    summary: str = ""


def not_judged(threshold: float, reason: str, **details: Any) -> Outcome:
    return Outcome(True, None, threshold, judged=False, details=details, summary=f"not judged: {reason}")


def median_absolute_deviation(values: Sequence[float]) -> float:
    center = statistics.median(values)
    return statistics.median(abs(v - center) for v in values)


def theil_sen(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """A robust line through the points: the median of pairwise slopes, and the median
    intercept for it. A few outliers (a bad day, a holiday) do not move it."""
    slopes = [
        (ys[j] - ys[i]) / (xs[j] - xs[i])
        for i in range(len(xs))
        for j in range(i + 1, len(xs))
        if xs[j] != xs[i]
    ]
    slope = statistics.median(slopes) if slopes else 0.0
    intercept = statistics.median(y - slope * x for x, y in zip(xs, ys, strict=True))
    return slope, intercept


def volume_drift(
    history: Sequence[tuple[dt.date, int]],
    day: dt.date,
    rows: int,
    max_abs_z: float,
    min_ratio: float,
    min_history_days: int,
    min_scale: float,
) -> Outcome:
    """Rows landed on `day` against the trailing window, with weekday seasonality.

    On log(1 + rows): a Theil-Sen trend over the window, then a weekday offset
    (median residual of the days of the same weekday), then the robust scale
    of what is left (1.4826 x MAD, at least `min_scale`). The day's z-score is
    its residual from trend + its weekday's offset, over that scale. Fires when
    |z| > max_abs_z and the rows are at least `min_ratio` times more or fewer
    than expected (a practical floor: very regular series have a tiny scale).
    """
    points = [(d, n) for d, n in history if n > 0]
    if len(points) < min_history_days:
        return not_judged(max_abs_z, f"{len(points)} days with rows in the window", rows=rows)
    xs = [float((d - day).days) for d, _ in points]
    ys = [math.log1p(n) for _, n in points]
    slope, intercept = theil_sen(xs, ys)
    residuals = [y - (intercept + slope * x) for x, y in zip(xs, ys, strict=True)]
    by_weekday: dict[int, list[float]] = {}
    for (d, _), r in zip(points, residuals, strict=True):
        by_weekday.setdefault(d.weekday(), []).append(r)
    offsets = {w: statistics.median(rs) for w, rs in by_weekday.items()}
    remaining = [r - offsets[d.weekday()] for (d, _), r in zip(points, residuals, strict=True)]
    scale = max(MAD_TO_SD * median_absolute_deviation(remaining), min_scale)
    predicted = intercept + offsets.get(day.weekday(), 0.0)
    expected_rows = math.expm1(predicted)
    z = (math.log1p(rows) - predicted) / scale
    ratio = (rows + 1) / (expected_rows + 1)
    fired = abs(z) > max_abs_z and max(ratio, 1 / ratio) >= min_ratio
    return Outcome(
        passed=not fired,
        value=round(z, 3),
        threshold=max_abs_z,
        details={
            "rows": rows,
            "expected_rows": round(expected_rows, 1),
            "ratio_to_expected": round(ratio, 4),
            "min_ratio": min_ratio,
            "history_days": len(points),
            "robust_scale_log": round(scale, 4),
        },
        summary=f"{rows} rows, expected about {expected_rows:.0f} (robust z {z:+.1f}, limit {max_abs_z})",
    )


def share_drift(count: int, total: int, max_share: float, what: str) -> Outcome:
    """A share of the day's rows against a fixed ceiling."""
    if total == 0:
        return not_judged(max_share, "no rows landed", count=count)
    share = count / total
    return Outcome(
        passed=share <= max_share,
        value=round(share, 5),
        threshold=max_share,
        details={"rows": count, "of_rows": total},
        summary=f"{share:.2%} of {total} rows {what} (limit {max_share:.2%})",
    )


def unknown_names_drift(
    unknown: int, total: int, max_share: float, variants: Mapping[str, dict], max_variant_rows: int
) -> Outcome:
    """The share of rows with a name outside the taxonomy, and the case variants of known
    names among them (WORKFLOW_RUN for workflow_run), which fire on their own: they are a
    known event renamed upstream, not a new one."""
    outcome = share_drift(unknown, total, max_share, "with an event name outside the taxonomy")
    variant_rows = sum(v["rows"] for v in variants.values())
    if not variants:
        return outcome
    listed = ", ".join(
        f"{name} ({v['rows']} rows; known as {v['known_name']})" for name, v in variants.items()
    )
    return Outcome(
        passed=outcome.passed and variant_rows <= max_variant_rows,
        value=outcome.value,
        threshold=outcome.threshold,
        judged=True,
        details={**outcome.details, "case_variants": dict(variants), "case_variant_rows": variant_rows},
        summary=f"{outcome.summary}; case variants of known names: {listed}",
    )


def null_rate_drift(
    today: Mapping[str, float],
    history: Mapping[str, Sequence[float]],
    max_abs_change: float,
    min_history_days: int,
) -> Outcome:
    """The null share of each key column against its median over the trailing window.
    The measured value is the largest absolute change."""
    if not today:
        return not_judged(max_abs_change, "no rows landed")
    changes, baselines = {}, {}
    for column, share in today.items():
        past = history.get(column, [])
        if len(past) < min_history_days:
            return not_judged(max_abs_change, f"{len(past)} days of history")
        baselines[column] = statistics.median(past)
        changes[column] = share - baselines[column]
    worst = max(changes, key=lambda c: abs(changes[c]))
    return Outcome(
        passed=abs(changes[worst]) <= max_abs_change,
        value=round(abs(changes[worst]), 5),
        threshold=max_abs_change,
        details={
            "worst_column": worst,
            "null_share": {c: round(v, 5) for c, v in today.items()},
            "baseline_null_share": {c: round(v, 5) for c, v in baselines.items()},
        },
        summary=f"null share of {worst} {today[worst]:.2%} vs {baselines[worst]:.2%} usually "
        f"(change limit {max_abs_change:.0%})",
    )


def population_stability_index(
    current: Mapping[str, float], baseline: Mapping[str, float], epsilon: float = 1e-4
) -> float:
    """PSI = sum over categories of (p - q) * ln(p / q), shares floored at epsilon.
    Counts or shares may be given; both are normalised."""
    categories = set(current) | set(baseline)
    current_total = sum(current.values()) or 1.0
    baseline_total = sum(baseline.values()) or 1.0
    psi = 0.0
    for category in categories:
        p = max(current.get(category, 0.0) / current_total, epsilon)
        q = max(baseline.get(category, 0.0) / baseline_total, epsilon)
        psi += (p - q) * math.log(p / q)
    return psi


def event_mix_drift(
    current: Mapping[str, int],
    baseline: Mapping[str, int],
    history_days: int,
    max_psi: float,
    min_rows: int,
    min_history_days: int,
) -> Outcome:
    """The day's event-name mix against the trailing window's, as a PSI."""
    rows = sum(current.values())
    if rows < min_rows:
        return not_judged(max_psi, f"{rows} rows (fewer than {min_rows})")
    if history_days < min_history_days:
        return not_judged(max_psi, f"{history_days} days of history")
    psi = population_stability_index(current, baseline)
    total, base_total = rows, sum(baseline.values()) or 1
    shifts = {
        name: current.get(name, 0) / total - baseline.get(name, 0) / base_total
        for name in set(current) | set(baseline)
    }
    top = sorted(shifts, key=lambda n: abs(shifts[n]), reverse=True)[:3]
    return Outcome(
        passed=psi <= max_psi,
        value=round(psi, 5),
        threshold=max_psi,
        details={"rows": rows, "largest_shifts": {n: round(shifts[n], 4) for n in top}},
        summary=f"PSI {psi:.3f} against the trailing window (limit {max_psi})",
    )


# Landing types of the contract, and the file column types that carry them.
# CSV has no types: its columns are sniffed, and a text column may look like
# anything (ids made of digits), so only timestamp and JSON columns are judged.
TIMESTAMP_TYPES = {"VARCHAR", "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE"}
ACCEPTED_TYPES = {
    "text": {"VARCHAR"},
    "timestamp": TIMESTAMP_TYPES | {"TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"},
    "json": {"VARCHAR", "JSON"},
}


def type_matches(landing_type: str, file_type: str, file_format: str) -> bool:
    """Whether a file column of `file_type` carries a contract column of `landing_type`."""
    if file_format == "csv" and landing_type == "text":
        return True
    return file_type.upper() in ACCEPTED_TYPES.get(landing_type, {"VARCHAR"})


def schema_drift(
    contract: Mapping[str, str],
    files: Mapping[str, tuple[str, Mapping[str, str]]],
    max_added: int,
    max_missing: int,
    max_retyped: int,
) -> Outcome:
    """Landing files against the contract. `contract`: column -> landing type;
    `files`: file -> (format, {column: type}). Counts distinct columns added,
    missing and retyped over the day's files; fires when any count is over its limit."""
    if not files:
        return not_judged(0, "no landing files")
    added: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    retyped: dict[str, list[str]] = {}
    for file, (file_format, columns) in sorted(files.items()):
        for column, file_type in columns.items():
            if column not in contract:
                added.setdefault(column, []).append(file)
            elif not type_matches(contract[column], file_type, file_format):
                retyped.setdefault(f"{column}: {contract[column]} -> {file_type}", []).append(file)
        for column in contract:
            if column not in columns:
                missing.setdefault(column, []).append(file)
    over = len(added) > max_added or len(missing) > max_missing or len(retyped) > max_retyped
    changes = len(added) + len(missing) + len(retyped)
    return Outcome(
        passed=not over,
        value=float(changes),
        threshold=float(max_added + max_missing + max_retyped),
        details={
            "files": len(files),
            "added_columns": sorted(added),
            "missing_columns": sorted(missing),
            "retyped_columns": sorted(retyped),
            "limits": {"added": max_added, "missing": max_missing, "retyped": max_retyped},
        },
        summary=f"{len(added)} added, {len(missing)} missing, {len(retyped)} retyped column(s) "
        f"in {len(files)} file(s)",
    )
