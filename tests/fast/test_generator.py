"""The sample generator: deterministic, consistent with its ground truth, honest counts."""

import hashlib
import json
import subprocess

import duckdb
import pytest

from orchestration.lib import SEEDS_DIR
from tests.support.commands import COMMAND_TIMEOUT_SECONDS, ONBOARDING, REPO_ROOT, generate_sample

ACCOUNTS, DAYS = 150, 60


def digest(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return generate_sample(tmp_path_factory.mktemp("gen") / "landing", ACCOUNTS, DAYS, 3)


@pytest.fixture(scope="module")
def con(sample):
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    connection.execute(f"""
        create view events as
            select * from read_parquet('{sample}/events/*/*.parquet', hive_partitioning = false);
        create view accounts as select * from read_parquet('{sample}/accounts/accounts.parquet');
        create view segments as select * from read_csv('{SEEDS_DIR}/segments.csv');
        create view rules as select * from read_csv('{SEEDS_DIR}/milestones.csv', all_varchar = true);
        create view taxonomy as select * from read_csv('{SEEDS_DIR}/event_taxonomy.csv');
    """)
    yield connection
    connection.close()


def summary(folder):
    return json.loads((folder / "_truth" / "summary.json").read_text())


def test_same_seed_same_bytes_whatever_the_workers_and_another_seed_differs(sample, tmp_path):
    # The sample was written by one process (the default for a small one); again by two.
    again = generate_sample(tmp_path / "again", ACCOUNTS, DAYS, 3, "--workers", "2")
    assert digest(again) == digest(sample)
    other = generate_sample(tmp_path / "other", ACCOUNTS, DAYS, 4)
    assert digest(other)["accounts/accounts.parquet"] != digest(sample)["accounts/accounts.parquet"]


def test_ground_truth_milestones_follow_from_the_events_written(sample, con):
    """Recompute every milestone from the files, independently of the dbt models."""
    mismatches = con.execute(f"""
        with parsed as (
            select *,
                try_cast(occurred_at as timestamptz) at time zone 'UTC' as occurred,
                try_cast(received_at as timestamptz) at time zone 'UTC' as received
            from events
        ),
        usable as (
            select * from parsed
            where account_id in (select account_id from accounts)
                and occurred is not null and received is not null
                and (properties is null or json_valid(properties))
                and occurred <= received + interval 24 hour
            qualify row_number() over (partition by event_id order by received) = 1
        ),
        configured as (
            select a.account_id,
                try_cast(a.signed_up_at as timestamptz) at time zone 'UTC' as signed_up_at,
                coalesce(s.segment, 'default') as config_segment
            from accounts a left join segments s on a.segment = s.segment
        ),
        counted as (
            select c.account_id, r.milestone_name, cast(r.min_count as int) as min_count, e.occurred,
                row_number() over (partition by c.account_id, r.milestone_name order by e.occurred) as n
            from usable e
            join configured c using (account_id)
            join rules r on r.segment = c.config_segment and r.event_name = e.event_name
            where e.occurred >= c.signed_up_at
                and (r.property_key is null
                     or json_extract_string(e.properties, '$.' || r.property_key) = r.property_value)
        ),
        derived as (
            select account_id, milestone_name, occurred as reached_at from counted where n = min_count
        ),
        truth as (select * from read_parquet('{sample}/_truth/account_milestones.parquet'))
        select truth.account_id, truth.milestone_name, truth.reached_at, derived.reached_at
        from truth left join derived using (account_id, milestone_name)
        where truth.reached_at is distinct from derived.reached_at
        union all
        select account_id, milestone_name, null, reached_at from derived
        where (account_id, milestone_name) not in (select (account_id, milestone_name) from truth)
        limit 10
    """).fetchall()
    assert mismatches == []
    reached, total, out_of_order = con.execute(f"""
        with t as (select * from read_parquet('{sample}/_truth/account_milestones.parquet'))
        select count(reached_at), count(*),
            count_if(exists (select 1 from t later where later.account_id = t.account_id
                and later.step_number > t.step_number and later.reached_at < t.reached_at))
        from t
    """).fetchone()
    assert 0 < reached < total, "the sample needs both reached and unreached milestones"
    assert out_of_order > 0, "the sample needs milestones reached out of order"


def test_truth_has_every_kind_of_account(sample, con):
    truth = f"read_parquet('{sample}/_truth/accounts.parquet')"
    kinds = dict(con.execute(f"select outcome, count(*) from {truth} group by all").fetchall())
    assert set(kinds) == {"abandoned", "in_window", "late", "stalled"}
    flags = con.execute(
        "select count_if(not is_activation_window_mature), count_if(not has_events), "
        "count_if(config_segment = 'default'), count_if(churned_at is not null), "
        f"count_if(onboarding_variant is null) from {truth}"
    ).fetchone()
    assert all(flags), f"immature, without events, default config, churned, no variant: {flags}"


def test_imperfection_counts_match_what_the_files_hold(sample, con):
    counts = summary(sample)["counts"]
    found = con.execute("""
        select
            count(*) as events_written,
            count(distinct event_id) as distinct_event_ids,
            count(*) - count(distinct event_id) as duplicate_event_id,
            count_if(account_id is null) as missing_account_id,
            count_if(account_id not in (select account_id from accounts)) as unknown_account,
            count_if(try_cast(occurred_at as timestamptz) is null) as invalid_occurred_at,
            count_if(try_cast(occurred_at as timestamptz)
                     > try_cast(received_at as timestamptz) + interval 24 hour) as occurred_after_received,
            count_if(properties is not null and not json_valid(properties)) as invalid_properties,
            count_if(event_name not in (select event_name from taxonomy)) as unknown_event_name
        from events
    """).fetchone()
    names = [
        "events_written",
        "distinct_event_ids",
        "duplicate_event_id",
        "missing_account_id",
        "unknown_account",
        "invalid_occurred_at",
        "occurred_after_received",
        "invalid_properties",
        "unknown_event_name",
    ]
    assert dict(zip(names, found, strict=True)) == {k: counts[k] for k in names}
    assert all(counts[k] > 0 for k in names), counts
    assert counts["late_arrival"] > 0 and counts["before_signup"] > 0


def test_events_land_in_the_folder_of_their_arrival_date(sample, con):
    (misplaced,) = con.execute(f"""
        select count(*) from read_parquet('{sample}/events/*/*.parquet', filename = true,
                                          hive_partitioning = false)
        where not contains(filename, 'date=' || strftime(cast(received_at as timestamptz), '%Y-%m-%d'))
    """).fetchone()
    assert misplaced == 0


def test_clean_has_no_imperfections(tmp_path):
    counts = summary(generate_sample(tmp_path / "clean", 60, 30, 1, "--clean"))["counts"]
    for kind in (
        "duplicate_event_id",
        "late_arrival",
        "missing_account_id",
        "unknown_account",
        "invalid_occurred_at",
        "invalid_properties",
        "unknown_event_name",
        "before_signup",
    ):
        assert counts[kind] == 0, kind


def test_csv_holds_the_same_rows_as_parquet(sample, tmp_path):
    as_csv = generate_sample(tmp_path / "csv", ACCOUNTS, DAYS, 3, "--format", "csv")
    for table in ("events/*/*", "accounts/accounts", "subscriptions/subscriptions", "surveys/surveys"):
        parquet = f"read_parquet('{sample}/{table}.parquet', hive_partitioning = false)"
        csv = f"read_csv('{as_csv}/{table}.csv', all_varchar = true, hive_partitioning = false)"
        described = duckdb.sql(f"describe select * from {parquet}").fetchall()
        # CSV cannot tell empty text from null (staging treats both as missing) and
        # writes 75.0 as 75: compare text without empties, numbers as numbers.
        columns = ", ".join(
            f'try_cast("{name}" as double)'
            if kind in ("DOUBLE", "BIGINT")
            else f"""nullif("{name}"::varchar, '')"""
            for name, kind, *_ in described
        )
        left = duckdb.sql(
            f"select {columns} from {parquet} except all select {columns} from {csv}"
        ).fetchall()
        right = duckdb.sql(
            f"select {columns} from {csv} except all select {columns} from {parquet}"
        ).fetchall()
        assert left == right == [], table


def test_refuses_a_folder_it_did_not_write_and_clears_its_own(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "precious.csv").write_text("keep me")
    result = subprocess.run(
        [
            ONBOARDING,
            "sample",
            "generate",
            "--accounts",
            "5",
            "--days",
            "5",
            "--out",
            str(foreign),
            "--quiet",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
    )
    assert result.returncode == 2 and "not written by this generator" in result.stderr
    assert (foreign / "precious.csv").read_text() == "keep me"

    own = generate_sample(tmp_path / "own", 30, 20, 1)
    generate_sample(own, 30, 5, 1)
    assert len(list((own / "events").iterdir())) <= 5


def test_events_option_sizes_the_account_count(tmp_path):
    out = tmp_path / "sized"
    subprocess.run(
        [
            ONBOARDING,
            "sample",
            "generate",
            "--events",
            "20000",
            "--days",
            "30",
            "--seed",
            "2",
            "--out",
            str(out),
            "--quiet",
        ],
        cwd=REPO_ROOT,
        check=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
    )
    written = summary(out)["counts"]["events_written"]
    assert 10_000 < written < 40_000
