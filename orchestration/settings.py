"""Every ONBOARDING_* setting, checked at the edge: each value read from the
environment is validated here before anything uses it, and a bad value raises
`SettingError` with a message that starts with the setting's name.

Commands call `validate_all()` before they start (the Dagster code location when it
loads, the loader, the alert sender, the reports), so a typo stops them before any
run, with the name of the setting to fix. dbt reads a few of the same variables
itself; those are validated again there (macros/run_settings.sql).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


class SettingError(ValueError):
    """A setting with a value that cannot be used; the message names the setting."""

    def __init__(self, name: str, value: str, problem: str):
        super().__init__(f"{name}={value!r}: {problem}")
        self.name = name
        self.value = value
        self.problem = problem


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SIZE = re.compile(r"[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)", re.IGNORECASE)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIMESTAMP = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?Z?")
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
# An absolute folder or an object-store URI the Spark hook writes into SQL as a quoted
# literal: no quotes, backslashes, whitespace or control characters.
_LOCATION = re.compile(r"([a-z][a-z0-9+.-]*://)?/?[A-Za-z0-9_./=:@%+~,-]+")
URL_SCHEMES = ("http", "https")


def check_path(name: str, value: str) -> str:
    """A file or folder path: not empty, no control characters (a newline or NUL in a
    path is a pasting accident, never a file the project should write)."""
    if not value.strip():
        raise SettingError(name, value, "is empty; give a path or unset it for the default")
    if _CONTROL.search(value):
        raise SettingError(name, value, "contains a control character (newline, tab, NUL ...)")
    return value


def check_size(name: str, value: str) -> str:
    """A memory size such as 4GB or 512MiB."""
    if not _SIZE.fullmatch(value.strip()):
        raise SettingError(name, value, "is not a size such as 4GB, 512MB or 2GiB")
    return value.strip()


def check_count(name: str, value: str, low: int = 1, high: int = 1024) -> int:
    """A whole number from `low` to `high`."""
    text = value.strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise SettingError(name, value, f"is not a whole number from {low} to {high}")
    return int(text)


def check_date(name: str, value: str) -> dt.date:
    """A real calendar day written YYYY-MM-DD."""
    text = value.strip()
    if not _DATE.fullmatch(text):
        raise SettingError(name, value, "is not a date of the form YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise SettingError(name, value, f"is not a valid date ({exc})") from None


def check_timestamp(name: str, value: str) -> dt.datetime:
    """A real UTC instant written YYYY-MM-DD[ HH:MM[:SS[.ffffff]]] (T and Z accepted)."""
    text = value.strip()
    if not _TIMESTAMP.fullmatch(text):
        raise SettingError(name, value, "is not a UTC timestamp of the form YYYY-MM-DD HH:MM:SS")
    try:
        return dt.datetime.fromisoformat(text.removesuffix("Z").replace("T", " "))
    except ValueError as exc:
        raise SettingError(name, value, f"is not a valid timestamp ({exc})") from None


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    return len(host) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in labels)


def check_url(name: str, value: str) -> str:
    """An http(s) URL with a host name or IP address (and an optional port): nothing else
    is ever requested (no file:, data:, ftp:, javascript: ...)."""
    text = value.strip()
    if _CONTROL.search(text) or " " in text:
        raise SettingError(name, value, "contains whitespace or a control character")
    parts = urlsplit(text)
    if parts.scheme.lower() not in URL_SCHEMES:
        shown = f"'{parts.scheme}:'" if parts.scheme else "no scheme"
        raise SettingError(name, value, f"has {shown}; only http:// and https:// URLs are accepted")
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        raise SettingError(name, value, "has a port that is not a number from 0 to 65535") from None
    host = parts.hostname or ""
    if not host or not _is_host(host.strip("[]")):
        raise SettingError(name, value, "has no valid host name (e.g. https://alerts.example.com/hook)")
    return text


def check_location(name: str, value: str) -> str:
    """An absolute folder or a URI (s3a://bucket/raw) of plain characters."""
    text = value.strip()
    if not _LOCATION.fullmatch(text) or not (text.startswith("/") or "://" in text):
        raise SettingError(
            name,
            value,
            "is not an absolute folder or URI of plain characters (letters, digits, / . _ - = : @ % + ~ ,)",
        )
    return text


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    check: Callable[[str, str], object]


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("ONBOARDING_DATA_DIR", "data/landing", check_path),
        Setting("ONBOARDING_WAREHOUSE", "warehouse/onboarding.duckdb", check_path),
        Setting("ONBOARDING_TEMP_DIR", "warehouse/tmp", check_path),
        Setting("ONBOARDING_MEMORY_LIMIT", "4GB", check_size),
        Setting("ONBOARDING_DUCKDB_THREADS", "2", check_count),
        Setting("ONBOARDING_DBT_THREADS", None, check_count),
        Setting("ONBOARDING_SERVING_DIR", "warehouse/serving", check_path),
        Setting("ONBOARDING_REPORTS_DIR", "warehouse/reports", check_path),
        Setting("ONBOARDING_DBT_TARGET", "duckdb", lambda name, value: value),  # lib.dbt_target()
        Setting("ONBOARDING_SPARK_DIR", "warehouse/spark", check_path),
        Setting("ONBOARDING_SPARK_RAW_LOCATION", None, check_location),
        Setting("ONBOARDING_PARTITION_START", None, check_date),
        Setting("ONBOARDING_PARTITION_END", None, check_date),
        Setting("ONBOARDING_PARTITIONS_START", "2026-01-01", check_date),
        Setting("ONBOARDING_AS_OF", None, check_timestamp),
        Setting("ONBOARDING_ALERTS_FILE", None, check_path),
        Setting("ONBOARDING_ALERTS_URL", None, check_url),
        Setting("ONBOARDING_ALERTS_MAX_AGE_DAYS", "3", lambda name, value: check_count(name, value, 0, 3650)),
    ]
}


def raw(name: str) -> str | None:
    """The setting as given in the environment (None when unset or blank)."""
    value = os.environ.get(name)
    return value if value is not None and value.strip() else None


def get(name: str) -> str | None:
    """The validated text of a setting: the environment, else its default (None if it has none)."""
    value = raw(name)
    if value is None:
        return SETTINGS[name].default
    SETTINGS[name].check(name, value)
    return value if SETTINGS[name].check is check_path else value.strip()


def parsed(name: str):
    """A setting parsed by its check (a date, a number ...), or None when unset without default."""
    value = get(name)
    return None if value is None else SETTINGS[name].check(name, value)


def validate_all() -> None:
    """Check every setting that is set; raise on the first bad one (the message names it)."""
    problems = []
    for name in SETTINGS:
        try:
            get(name)
        except SettingError as exc:
            problems.append(str(exc))
    start, end = raw("ONBOARDING_PARTITION_START"), raw("ONBOARDING_PARTITION_END")
    if not problems and (start is None) != (end is None):
        problems.append("ONBOARDING_PARTITION_START / _END: set both, or neither")
    if problems:
        raise BadSettings(problems)


class BadSettings(ValueError):
    """One or more bad settings."""

    def __init__(self, problems: list[str]):
        super().__init__("bad setting(s):\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


def command_line_check() -> int:
    """For a command's main(): 0 when every setting is good, else 2 after printing why."""
    try:
        validate_all()
    except BadSettings as exc:
        import sys

        print(exc, file=sys.stderr)
        return 2
    return 0
