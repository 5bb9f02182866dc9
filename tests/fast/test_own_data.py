"""Your own data (issue 16): the Dagster partitions follow the landed data, a folder of
files without `date=` folders included; misnamed table folders are named."""

import csv
import datetime as dt
import json

from onboarding_sample.community import EVENTS_FILE, first_sign_up, write_community
from orchestration.landing.partitions import partitions_start, undated_received_days
from tests.support.commands import ONBOARDING, project_env, run_command

TODAY = dt.date(2026, 4, 2)


def _first_plausible_received_day(landing) -> dt.date:
    with open(landing / EVENTS_FILE, newline="") as handle:
        days = []
        for row in csv.DictReader(handle):
            try:
                day = dt.datetime.fromisoformat(row["received_at"]).date()
            except ValueError:
                continue
            if day >= dt.date(2015, 1, 1):
                days.append(day)
    return min(days)


def test_partitions_start_on_the_first_date_folder(tmp_path):
    for day in ("2019-05-02", "2020-01-01"):
        folder = tmp_path / "events" / f"date={day}"
        folder.mkdir(parents=True)
        (folder / "a.csv").write_text("event_id\n")
    assert partitions_start(tmp_path, today=TODAY) == "2019-05-02"


def test_partitions_of_an_undated_events_file_start_on_its_first_received_day(tmp_path):
    """One events file directly in events/ (its landing date is the day of received_at): the
    partitions start on its first plausible received_at day, not on a row from 1900 nor on
    one that does not parse."""
    landing = write_community(tmp_path / "landing")
    first = _first_plausible_received_day(landing)
    assert first.year == first_sign_up().year
    assert undated_received_days(landing, today=TODAY)[0] == first
    assert partitions_start(landing, today=TODAY) == first.isoformat()


def test_the_setting_wins_and_no_events_means_the_default(tmp_path, monkeypatch):
    assert partitions_start(tmp_path, today=TODAY) == "2026-01-01"
    landing = write_community(tmp_path / "landing")
    monkeypatch.setenv("ONBOARDING_PARTITIONS_START", "2025-06-01")
    assert partitions_start(landing, today=TODAY) == "2025-06-01"


def test_landed_range_tags_cover_an_undated_events_file(tmp_path):
    landing = write_community(tmp_path / "landing")
    env = project_env(landing, tmp_path / "w.duckdb")
    tags = json.loads(run_command([ONBOARDING, "partitions", "landed-range-tags"], env).stdout)
    assert tags["dagster/asset_partition_range_start"] == _first_plausible_received_day(landing).isoformat()

    empty = project_env(tmp_path / "nothing", tmp_path / "w.duckdb")
    (tmp_path / "nothing").mkdir()
    result = run_command([ONBOARDING, "partitions", "landed-range-tags"], empty, check=False)
    assert result.returncode != 0 and "no events are landed in" in result.stderr


def test_misnamed_table_folders_are_named_and_a_missing_table_refused(tmp_path):
    """`users/` is named in a warning with the table folders; `subscription/`, beside no
    `subscriptions/`, fails the load (its data would be missing in silence), after the real
    tables are loaded."""
    landing = write_community(tmp_path / "landing")
    env = project_env(landing, tmp_path / "w.duckdb")
    result = run_command([ONBOARDING, "load"], env)
    assert "warning: folder 'users/'" in result.stderr
    assert "table folders: accounts/, events/, subscriptions/, surveys/" in result.stderr

    (landing / "subscription").mkdir()
    (landing / "subscription" / "plans.csv").write_text("account_id,period_start,mrr\n")
    result = run_command([ONBOARDING, "load"], env, check=False)
    assert result.returncode == 1
    assert "error: folder 'subscription/'" in result.stderr
    assert "did you mean 'subscriptions/'?" in result.stderr
    assert "events" in result.stdout and "loaded" in result.stdout  # the others still load
