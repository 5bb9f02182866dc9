"""The drift checks' thresholds: config/drift_checks.yml, validated on load."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from orchestration.lib import REPO_ROOT

CONFIG_FILE = REPO_ROOT / "config" / "drift_checks.yml"
# Check -> the numeric settings it needs.
REQUIRED = {
    "volume": ("max_abs_z", "min_ratio", "min_history_days", "min_scale"),
    "unknown_event_names": ("max_share", "max_case_variant_rows"),
    "schema": ("max_added_columns", "max_missing_columns", "max_retyped_columns"),
    "null_rate": ("max_abs_change", "min_history_days"),
    "late_arrival": ("max_share",),
    "duplicates": ("max_share",),
    "quarantine": ("max_share",),
    "event_mix": ("max_psi", "min_rows", "min_history_days"),
}
SEVERITIES = ("warn", "error")


class DriftConfigError(ValueError):
    pass


def validate(document: Any, source: str = str(CONFIG_FILE)) -> dict:
    """The config as a dict, or DriftConfigError naming what is wrong."""
    if not isinstance(document, dict):
        raise DriftConfigError(f"{source}: expected a mapping at the top level")
    trailing = document.get("trailing_days")
    if not isinstance(trailing, int) or not 7 <= trailing <= 366:
        raise DriftConfigError(f"{source}: trailing_days must be an integer from 7 to 366")
    for check, keys in REQUIRED.items():
        section = document.get(check)
        if not isinstance(section, dict):
            raise DriftConfigError(f"{source}: section '{check}' is missing")
        for key in keys:
            value = section.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise DriftConfigError(f"{source}: {check}.{key} must be a number >= 0 (got {value!r})")
        severity = section.setdefault("severity", "warn")
        if severity not in SEVERITIES:
            raise DriftConfigError(f"{source}: {check}.severity must be one of {', '.join(SEVERITIES)}")
    columns = document["null_rate"].get("columns")
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
        raise DriftConfigError(f"{source}: null_rate.columns must be a list of column names")
    unknown = sorted(set(document) - set(REQUIRED) - {"trailing_days"})
    if unknown:
        raise DriftConfigError(f"{source}: unknown section(s) {', '.join(unknown)}")
    return document


@cache
def load_config(path: Path = CONFIG_FILE) -> dict:
    return validate(yaml.safe_load(path.read_text()), str(path))
