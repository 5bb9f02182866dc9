"""Settings are checked at the edge (orchestration/settings.py): a bad value stops a
command before it does anything, with a message that names the setting; the alert
sender accepts only http(s) URLs."""

import os
import sys

import pytest

from orchestration import settings
from orchestration.alerts.outbox import OutboxSettings, _post
from tests.support.commands import VENV_BIN, run_command

BAD_URLS = [
    "file:///etc/passwd",
    "file://localhost/etc/passwd",
    "data:text/plain,hello",
    "ftp://example.com/alerts",
    "javascript:alert(1)",
    "gopher://example.com/",
    "http://",
    "https:///path-without-host",
    "http://exa mple.com/",
    "http://example.com:port/",
    "http://bad_host!.com/",
    "https://example.com/\nX-Injected: 1",
    "//example.com/no-scheme",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_the_alert_url_accepts_only_http_and_https_with_a_host(monkeypatch, url):
    monkeypatch.setenv("ONBOARDING_ALERTS_URL", url)
    with pytest.raises(settings.SettingError, match="^ONBOARDING_ALERTS_URL="):
        OutboxSettings.from_environment()
    # The sender checks again right before it requests anything.
    with pytest.raises(settings.SettingError):
        _post(url, {"alert_id": "a"})


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/alerts", "https://alerts.example.com/hook?x=1", "http://[::1]:9000/"]
)
def test_http_and_https_alert_urls_are_accepted(monkeypatch, url):
    monkeypatch.setenv("ONBOARDING_ALERTS_URL", url)
    assert OutboxSettings.from_environment().url == url


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("ONBOARDING_PARTITIONS_START", "2026-02-31", "day is out of range for month"),
        ("ONBOARDING_PARTITION_START", "20261126", "not a date of the form YYYY-MM-DD"),
        ("ONBOARDING_AS_OF", "2026-02-30 10:00:00", "not a valid timestamp"),
        ("ONBOARDING_AS_OF", "yesterday", "not a UTC timestamp"),
        ("ONBOARDING_MEMORY_LIMIT", "lots", "not a size"),
        ("ONBOARDING_DUCKDB_THREADS", "0", "not a whole number"),
        ("ONBOARDING_DBT_THREADS", "two", "not a whole number"),
        ("ONBOARDING_ALERTS_MAX_AGE_DAYS", "-1", "not a whole number"),
        ("ONBOARDING_WAREHOUSE", "warehouse/x\n.duckdb", "control character"),
        ("ONBOARDING_DATA_DIR", "data/\tlanding", "control character"),
        ("ONBOARDING_SPARK_RAW_LOCATION", "/raw' location '/etc", "plain characters"),
        ("ONBOARDING_SPARK_RAW_LOCATION", "relative/raw", "absolute folder or URI"),
    ],
)
def test_every_setting_error_names_the_setting(monkeypatch, name, value, problem):
    monkeypatch.setenv(name, value)
    with pytest.raises(settings.BadSettings) as failure:
        settings.validate_all()
    (message,) = failure.value.problems
    assert message.startswith(f"{name}=") and problem in message


def test_a_partition_range_needs_both_ends(monkeypatch):
    monkeypatch.setenv("ONBOARDING_PARTITION_START", "2026-03-01")
    with pytest.raises(settings.BadSettings, match="set both, or neither"):
        settings.validate_all()


def _environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONBOARDING_")}
    return {**env, **values}


def test_commands_refuse_a_bad_setting_before_doing_anything(tmp_path):
    env = _environment(
        ONBOARDING_ALERTS_URL="file:///etc/passwd", ONBOARDING_WAREHOUSE=str(tmp_path / "w.duckdb")
    )
    for command in (["alerts", "send"], ["load"]):
        result = run_command([str(VENV_BIN / "onboarding"), *command], env, check=False)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "ONBOARDING_ALERTS_URL='file:///etc/passwd'" in result.stderr
    assert not (tmp_path / "w.duckdb").exists()  # nothing was opened


@pytest.mark.slow
def test_the_dagster_code_location_refuses_to_load_with_a_bad_setting():
    """Before any run starts: the definitions do not load, and say which setting is wrong."""
    env = _environment(ONBOARDING_ALERTS_URL="javascript:alert(1)")
    result = run_command([sys.executable, "-c", "import orchestration.definitions"], env, check=False)
    assert result.returncode != 0
    assert "ONBOARDING_ALERTS_URL='javascript:alert(1)'" in result.stderr
    assert "only http:// and https://" in result.stderr
