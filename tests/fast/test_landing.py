"""The raw loader: contract checks, file-level failures, malformed lines, mirroring."""

import os

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.landing import LandingLoadError, load_contracts, load_table

EVENTS = load_contracts()["events"]
ACCOUNTS = load_contracts()["accounts"]
HEADER = "event_id,account_id,user_id,event_name,occurred_at,received_at,properties"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def day(landing, date, name="events.csv"):
    return landing / "events" / f"date={date}" / name


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    yield connection
    connection.close()


def rows(con, sql):
    return con.execute(sql).fetchall()


def test_contract_comes_from_the_dbt_sources_file():
    assert set(load_contracts()) == {"events", "accounts", "subscriptions", "surveys"}
    assert EVENTS.required == {"event_id", "account_id", "event_name", "occurred_at", "received_at"}
    assert EVENTS.optional == ("user_id", "properties")
    assert EVENTS.partitioned and not ACCOUNTS.partitioned


def test_csv_and_parquet_partitions_load_as_text_with_lineage(tmp_path, con):
    write(
        day(tmp_path, "2026-01-01"), f"{HEADER}\ne1,a1,u1,login,2026-01-01T10:00:00Z,2026-01-01T10:00:01Z,\n"
    )
    parquet_file = day(tmp_path, "2026-01-02", "part-0.parquet")
    parquet_file.parent.mkdir(parents=True)
    pq.write_table(
        pa.table(
            {
                "event_id": ["e2"],
                "account_id": ["a1"],
                "event_name": ["login"],
                "occurred_at": pa.array([1767261600000], pa.timestamp("ms", tz="UTC")),
                "received_at": ["2026-01-02T10:00:01Z"],
            }
        ),
        parquet_file,
    )
    result = load_table(con, EVENTS, tmp_path)
    assert result.partitions_loaded == ["date=2026-01-01", "date=2026-01-02"]
    assert result.rows_loaded == 2
    got = rows(
        con,
        "select event_id, occurred_at, user_id, properties, _landing_date::varchar, "
        "_source_file, _source_row from raw.events order by event_id",
    )
    assert got == [
        # CSV rows are numbered by line (the header is line 1), Parquet rows from 1.
        ("e1", "2026-01-01T10:00:00Z", "u1", None, "2026-01-01", "events/date=2026-01-01/events.csv", 2),
        # A typed Parquet timestamp lands as text; optional columns absent from the file are null.
        (
            "e2",
            "2026-01-01 10:00:00+00",
            None,
            None,
            "2026-01-02",
            "events/date=2026-01-02/part-0.parquet",
            1,
        ),
    ]


def test_unchanged_partitions_are_skipped_changed_ones_reloaded_removed_ones_removed(tmp_path, con):
    first = write(
        day(tmp_path, "2026-01-01"), f"{HEADER}\ne1,a1,,login,2026-01-01T10:00:00Z,2026-01-01T10:00:01Z,\n"
    )
    second = write(
        day(tmp_path, "2026-01-02"), f"{HEADER}\ne2,a1,,login,2026-01-02T10:00:00Z,2026-01-02T10:00:01Z,\n"
    )
    load_table(con, EVENTS, tmp_path)

    again = load_table(con, EVENTS, tmp_path)
    assert again.partitions_loaded == [] and len(again.partitions_skipped) == 2

    write(
        second,
        f"{HEADER}\ne2,a1,,login,2026-01-02T10:00:00Z,2026-01-02T10:00:01Z,\n"
        "e3,a1,,login,2026-01-02T11:00:00Z,2026-01-02T11:00:01Z,\n",
    )
    os.utime(second, ns=(1, 2))  # a rewrite is detected by size or modification time
    first.unlink()
    changed = load_table(con, EVENTS, tmp_path)
    assert changed.partitions_loaded == ["date=2026-01-02"]
    assert changed.partitions_removed == ["date=2026-01-01"]
    assert rows(con, "select event_id from raw.events order by 1") == [("e2",), ("e3",)]
    assert changed.rows_in_table == 2


def test_malformed_csv_lines_become_raw_rows_with_the_error(tmp_path, con):
    write(
        day(tmp_path, "2026-01-01"),
        f"{HEADER}\n"
        "e1,a1,,login,2026-01-01T10:00:00Z,2026-01-01T10:00:01Z,\n"
        "e2,a1,login\n"
        '"e3",a1,,help_article_viewed,2026-01-01T10:00:00Z,2026-01-01T10:00:01Z,'
        '"{""topic"": ""sso, saml""}"\n',
    )
    result = load_table(con, EVENTS, tmp_path)
    assert result.rows_loaded == 3 and result.malformed_lines == 1
    good = rows(
        con, "select event_id, properties, _source_row from raw.events where _parse_error is null order by 1"
    )
    assert good == [("e1", None, 2), ("e3", '{"topic": "sso, saml"}', 4)]
    (bad,) = rows(
        con, "select _raw_line, _parse_error, _source_row from raw.events where _parse_error is not null"
    )
    assert bad[0] == "e2,a1,login" and "MISSING COLUMNS" in bad[1] and bad[2] == 3


def test_rows_keep_their_line_numbers_around_several_malformed_lines(tmp_path, con):
    good = "a1,,login,2026-01-01T10:00:00Z,2026-01-01T10:00:01Z,"
    lines = [HEADER, f"e1,{good}", "bad", "bad,bad", f"e4,{good}", "x", f"e6,{good}", f"e7,{good}"]
    write(day(tmp_path, "2026-01-01"), "\n".join(lines) + "\n")
    load_table(con, EVENTS, tmp_path)
    numbered = rows(con, "select _source_row, coalesce(event_id, _raw_line) from raw.events order by 1")
    assert numbered == [(2, "e1"), (3, "bad"), (4, "bad,bad"), (5, "e4"), (6, "x"), (7, "e6"), (8, "e7")]


def test_a_bad_file_fails_its_partition_naming_the_file_and_other_partitions_still_load(tmp_path, con):
    write(day(tmp_path, "2026-01-01"), f"{HEADER}\ne1,a1,,login,2026-01-01T10:00:00Z,2026-01-01T10:00:01Z,\n")
    write(day(tmp_path, "2026-01-02"), "event_id,user_id,event_name,occurred_at,received_at\ne2,,login,x,y\n")
    write(day(tmp_path, "2026-01-03", "broken.parquet"), "this is not parquet")
    write(day(tmp_path, "2026-01-04", "notes.json"), "{}")
    write(tmp_path / "events" / "date=2026-02-30" / "events.csv", f"{HEADER}\n")
    with pytest.raises(LandingLoadError) as failure:
        load_table(con, EVENTS, tmp_path)
    message = str(failure.value)
    assert "4 landing partition(s) of 'events' failed" in message
    assert "events/date=2026-01-02/events.csv: is missing required column(s) account_id" in message
    assert "events/date=2026-01-03/broken.parquet: is not a readable Parquet file" in message
    assert "events/date=2026-01-04/notes.json: has an unsupported file type" in message
    assert "events/date=2026-02-30/events.csv: sits in folder 'date=2026-02-30'" in message
    # The good partition was loaded; the failed ones left nothing behind.
    assert rows(con, "select event_id, _landing_partition from raw.events") == [("e1", "date=2026-01-01")]


def test_a_failed_reload_keeps_the_previous_rows_of_that_partition(tmp_path, con):
    path = write(
        day(tmp_path, "2026-01-01"), f"{HEADER}\ne1,a1,,login,2026-01-01T10:00:00Z,2026-01-01T10:00:01Z,\n"
    )
    load_table(con, EVENTS, tmp_path)
    write(path, "event_id,occurred_at\ne9,2026-01-01\n")
    with pytest.raises(LandingLoadError, match="events/date=2026-01-01/events.csv"):
        load_table(con, EVENTS, tmp_path)
    assert rows(con, "select event_id from raw.events") == [("e1",)]


def test_unknown_columns_are_reported_and_missing_optional_columns_are_null(tmp_path, con):
    write(tmp_path / "accounts" / "accounts.csv", "account_id,signed_up_at,crm_owner\na1,2026-01-01,ann\n")
    result = load_table(con, ACCOUNTS, tmp_path)
    assert result.unknown_columns == {"accounts/accounts.csv": ["crm_owner"]}
    assert rows(con, "select account_id, segment, _landing_date from raw.accounts") == [("a1", None, None)]


def test_unsplit_event_files_take_the_arrival_date_as_landing_date(tmp_path, con):
    write(
        tmp_path / "events" / "all.csv",
        f"{HEADER}\ne1,a1,,login,2026-01-01T23:59:00Z,2026-01-02T00:00:30+00:00,\n",
    )
    load_table(con, EVENTS, tmp_path)
    assert rows(con, "select _landing_date::varchar, _landing_partition from raw.events") == [
        ("2026-01-02", "")
    ]


def test_the_parquet_mirror_for_spark_follows_the_raw_table_partition_by_partition(tmp_path, con):
    """With `mirror_dir` (the Spark target), one Parquet file per landing partition holds
    exactly the partition's raw rows; changed partitions are rewritten, removed ones go."""
    landing, mirror = tmp_path / "landing", tmp_path / "mirror"
    first = write(
        day(landing, "2026-01-01"), f"{HEADER}\ne1,a1,,login,2026-01-01T10:00:00Z,2026-01-01T10:00:01Z,\n"
    )
    second = write(
        day(landing, "2026-01-02"),
        f"{HEADER}\ne2,a1,,login,2026-01-02T10:00:00Z,2026-01-02T10:00:01Z,\nbad\n",
    )
    load_table(con, EVENTS, landing, mirror_dir=mirror)
    folder = mirror / "events"
    assert sorted(p.name for p in folder.iterdir()) == [
        "part-date=2026-01-01.parquet",
        "part-date=2026-01-02.parquet",
    ]
    mirrored = f"read_parquet('{folder}/*.parquet')"
    compare = "select * exclude (_loaded_at) from {} order by _source_file, _source_row"
    assert rows(con, compare.format(mirrored)) == rows(con, compare.format("raw.events"))
    assert rows(con, f"select typeof(_loaded_at) from {mirrored} limit 1") == [("TIMESTAMP WITH TIME ZONE",)]

    write(second, f"{HEADER}\ne3,a1,,login,2026-01-02T11:00:00Z,2026-01-02T11:00:01Z,\n")
    os.utime(second, ns=(1, 2))
    first.unlink()
    load_table(con, EVENTS, landing, mirror_dir=mirror)
    assert [p.name for p in folder.iterdir()] == ["part-date=2026-01-02.parquet"]
    assert rows(con, f"select event_id from {mirrored}") == [("e3",)]
