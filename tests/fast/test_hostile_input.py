"""Hostile and careless landing names, read straight through the loader (no dbt):
folder and file names of every table load as data, stored verbatim; glob characters
in names are not patterns; the command line and Dagster find the same files."""

import datetime as dt
import re

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.checks.queries import file_schema
from orchestration.landing import LandingLoadError, discover_files, load_contracts, load_table
from orchestration.sql import pattern_in, quote_identifier, quote_literal, readable_path
from tests.support.commands import ONBOARDING, project_env, run_command
from tests.support.hostile import FILE_READ, HOSTILE_NAMES, INJECTION, as_file

CONTRACTS = load_contracts()
KEYS = {
    "events": "event_id",
    "accounts": "account_id",
    "subscriptions": "account_id",
    "surveys": "response_id",
}


def csv_rows(table: str, keys: list[str]) -> str:
    """A CSV file of the table with one row per key (the required columns filled)."""
    header = list(CONTRACTS[table].columns)
    values = {
        "events": lambda k: [k, "acc_1", "", "login", "2026-01-05 10:00:00", "2026-01-05 10:00:01", ""],
        "accounts": lambda k: [k, "Name", "2026-01-02 10:00:00", "smb", "", "", "", "", ""],
        "subscriptions": lambda k: [k, "2026-01-01 00:00:00", "", "100", "2", "pro"],
        "surveys": lambda k: [k, "acc_1", "", "csat", "4", "", "2026-01-05 10:00:00"],
    }[table]
    lines = [",".join(header)] + [",".join(values(k)) for k in keys]
    return "\n".join(lines) + "\n"


def plant(landing, table: str, folder: str, file: str, key: str) -> str:
    """One file holding one row; returns its path relative to the landing directory."""
    path = landing / table / folder / file if folder else landing / table / file
    path.parent.mkdir(parents=True, exist_ok=True)
    if file.endswith(".parquet"):
        columns = list(CONTRACTS[table].columns)
        row = csv_rows(table, [key]).splitlines()[1].split(",")
        pq.write_table(pa.table({c: [v or None] for c, v in zip(columns, row, strict=True)}), path)
    else:
        path.write_text(csv_rows(table, [key]))
    return path.relative_to(landing).as_posix()


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    yield connection
    connection.close()


def plant_everywhere(landing) -> dict[str, set[tuple[str, str, str]]]:
    """Every hostile name as a folder and as a file of every table (events: below a date
    folder, since a table split by arrival day only has date= folders); CSV and Parquet.
    Returns table -> {(key, partition, source file)} expected in the raw table."""
    expected: dict[str, set] = {table: set() for table in CONTRACTS}
    names = HOSTILE_NAMES
    for i, name in enumerate(names):
        file = as_file(names[(i + 1) % len(names)])
        if i % 4 == 3:
            file = file.removesuffix(".csv") + ".parquet" if len(file.encode()) < 250 else file
        for table in CONTRACTS:
            key = f"{table[:3]}_{i}"
            if table == "events":
                partition, folder = "date=2026-01-05", f"date=2026-01-05/{name}"
                root_key, root_partition, root_folder = f"{key}_r", "date=2026-01-06", "date=2026-01-06"
            else:
                partition = folder = name
                root_key, root_partition, root_folder = f"{key}_r", "", ""
            expected[table].add((key, partition, plant(landing, table, folder, file, key)))
            root = plant(landing, table, root_folder, as_file(name), root_key)
            expected[table].add((root_key, root_partition, root))
    return expected


def test_hostile_folder_and_file_names_load_as_data_in_every_table(tmp_path, con):
    landing = tmp_path / "landing"
    expected = plant_everywhere(landing)
    mirror = tmp_path / "mirror"  # the Spark target's Parquet copy: one plain file name per partition
    for table, contract in CONTRACTS.items():
        result = load_table(con, contract, landing, mirror_dir=mirror)
        assert result.rows_loaded == len(expected[table]) == 2 * len(HOSTILE_NAMES), table
        files = sorted((mirror / table).iterdir())
        assert len(files) == len({partition for _, partition, _ in expected[table]})
        assert all(re.fullmatch(r"part-(~[0-9a-f]{40}|[A-Za-z0-9=_.-]+)\.parquet", f.name) for f in files)
        (mirrored,) = con.execute(
            "select count(*) from read_parquet(?)", [str(mirror / table / "*.parquet")]
        ).fetchone()
        assert mirrored == len(expected[table])
        raw = quote_identifier("raw", table)
        got = set(
            con.execute(
                f"select {quote_identifier(KEYS[table])}, _landing_partition, _source_file from {raw}"
            ).fetchall()
        )
        assert got == expected[table], table
    # Nothing ran: no value anywhere holds what the injection would have produced
    # ('INJECTED' followed by the count its subquery computes).
    for table in CONTRACTS:
        text = con.execute(
            f"select string_agg(cast(columns(*) as varchar), '|') from {quote_identifier('raw', table)}"
        ).fetchone()
        assert not any(re.search("INJECTED[0-9]", t or "") for t in text), table
    partitions = {p for (p,) in con.execute("select landing_partition from raw._load_log").fetchall()}
    assert {INJECTION, FILE_READ, "o'brien"} <= partitions


def test_a_hostile_folder_where_only_dates_belong_fails_its_partition_naming_it(tmp_path, con):
    landing = tmp_path / "landing"
    good = plant(landing, "events", "date=2026-01-05", "ok.csv", "e_ok")
    bad = [plant(landing, "events", name, "x.csv", f"e_{i}") for i, name in enumerate(HOSTILE_NAMES[:6])]
    with pytest.raises(LandingLoadError) as failure:
        load_table(con, CONTRACTS["events"], landing)
    message = str(failure.value)
    assert all(f"landing file {path}: sits in folder" in message for path in bad)
    assert con.execute("select _source_file from raw.events").fetchall() == [(good,)]


def test_glob_characters_in_names_are_not_patterns(tmp_path, con):
    """events/date=2026-10-09/ev*.csv beside ev.csv (and ?, [, {): each file's row loads
    once, under its own name; the drift check reads each file's own columns."""
    landing = tmp_path / "landing"
    names = ["ev.csv", "ev*.csv", "ev?.csv", "ev[1].csv", "e[v].csv", "ev{a,b}.csv", "eva.csv", "ev*.parquet"]
    planted = {plant(landing, "events", "date=2026-10-09", n, f"e{i}"): f"e{i}" for i, n in enumerate(names)}
    # A folder with glob characters (accounts are not split by day) beside one it would match.
    for i, folder in enumerate(["[ab]", "a", "*", "?"]):
        planted[plant(landing, "accounts", folder, "acc*.csv", f"a{i}")] = f"a{i}"
    plant(landing, "accounts", "", "acc1.csv", "a_root")
    load_table(con, CONTRACTS["events"], landing)
    load_table(con, CONTRACTS["accounts"], landing)
    got = con.execute(
        "select _source_file, event_id from raw.events union all "
        "select _source_file, account_id from raw.accounts where _landing_partition <> ''"
    ).fetchall()
    assert sorted(got) == sorted(planted.items())
    star = next(f for f in discover_files(landing, "events") if f.path.name == "ev*.csv")
    (landing / "events" / "date=2026-10-09" / "ev.csv").write_text("only_here\nx\n")
    assert list(file_schema(con, str(star.path), "csv")) == list(CONTRACTS["events"].columns)


def test_the_quoting_helpers():
    assert quote_identifier("raw", 'a"b') == '"raw"."a""b"'
    assert quote_literal("o'brien") == "'o''brien'"
    assert pattern_in("/d[1]/ev*?", "*.csv") == "/d[[]1]/ev[*][?]/*.csv"
    with pytest.raises(ValueError, match="backslash"):
        pattern_in("/a\\b", "*.csv")
    with readable_path("/plain/ev.csv") as plain:
        assert plain == "/plain/ev.csv"
    with readable_path("/d[1]/ev*.csv.gz") as linked:
        assert linked.endswith("/file.csv.gz") and not any(c in linked for c in "*?[\\")
    with pytest.raises(ValueError, match="NUL"):
        quote_identifier("a\x00b")


def odd_landing_zone(landing) -> None:
    """A landing zone full of odd names and the issue's misplaced folders."""
    plant(landing, "events", "date=2026-11-25", "ev.csv", "e_25")
    plant(landing, "events", "date=2026-11-25", "ev*.csv", "e_25_star")
    plant(landing, "events", "date=2026-11-26/late", "z.csv", "e_26_late")  # below a date: that date
    plant(landing, "events", "date=2026-11-26", "o'brien.csv", "e_26")
    plant(landing, "events", "date=2026-13-45", "x.csv", "e_bad_date")  # not a date: fails, named
    plant(landing, "events", "date=20261126", "y.csv", "e_compact")  # not a date: fails, named
    plant(landing, "events", "20261127", "w.csv", "e_no_prefix")  # not a date folder: fails, named
    plant(landing, "events", "", "unsplit.csv", "e_unsplit")  # the table folder: arrival date
    plant(landing, "events", "_ignored", "skip.csv", "e_skip")
    for i, name in enumerate(HOSTILE_NAMES[:5]):
        plant(landing, "events", f"date=2026-11-27/{name}", as_file(name), f"e_h{i}")
        for table in ("accounts", "subscriptions", "surveys"):
            plant(landing, table, name, as_file(name), f"{table[:3]}_h{i}")


def _raw_tables(warehouse) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            table: con.execute(
                f"select * exclude (_loaded_at) from {quote_identifier('raw', table)} "
                "order by _source_file, _source_row"
            ).fetchall()
            for table in CONTRACTS
        }


@pytest.mark.slow
def test_the_command_line_and_dagster_load_the_same_raw_tables_from_odd_names(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    odd_landing_zone(landing)
    cli, dagster_warehouse = tmp_path / "cli.duckdb", tmp_path / "dagster.duckdb"

    loaded = run_command([ONBOARDING, "load"], project_env(landing, cli), check=False)
    assert loaded.returncode == 1
    failed = {"events/date=2026-13-45/x.csv", "events/date=20261126/y.csv", "events/20261127/w.csv"}
    assert all(f"landing file {path}:" in loaded.stderr for path in failed)

    # Dagster, in process: the raw assets, a range run over every landed date, then the
    # snapshot tables.
    from dagster import DagsterInstance, materialize

    from orchestration.landing.assets import landing_files, raw_events, raw_tables
    from orchestration.landing.partitions import range_tags
    from orchestration.transform.resources import WarehouseResource

    monkeypatch.setenv("ONBOARDING_DATA_DIR", str(landing))
    monkeypatch.setenv("ONBOARDING_TEMP_DIR", str(tmp_path / "tmp"))
    resources = {"warehouse": WarehouseResource(path=str(dagster_warehouse))}
    runs = [([raw_events], range_tags(dt.date(2026, 11, 25), dt.date(2026, 11, 27))), ([raw_tables], {})]
    failures = []
    with DagsterInstance.ephemeral() as instance:
        for assets, tags in runs:
            result = materialize(
                [*landing_files, *assets],
                resources=resources,
                instance=instance,
                tags=tags,
                raise_on_error=False,
            )
            failures += [e.event_specific_data.error.to_string() for e in result.all_events if e.is_failure]
    errors = "\n".join(failures)
    # The same files fail, with the same message, and the same rows are loaded.
    assert all(f"landing file {path}:" in errors for path in failed), errors
    assert _raw_tables(dagster_warehouse) == _raw_tables(cli)
    events = {row[0] for row in _raw_tables(cli)["events"]}
    assert {"e_25", "e_25_star", "e_26_late", "e_26", "e_unsplit"} <= events
    assert not events & {"e_bad_date", "e_compact", "e_no_prefix", "e_skip"}


def test_a_partition_option_that_selects_nothing_says_so_and_fails(tmp_path):
    landing = tmp_path / "landing"
    plant(landing, "events", "date=2026-11-30", "ev.csv", "e1")
    env = project_env(landing, tmp_path / "w.duckdb")
    load = [ONBOARDING, "load"]
    wrong = run_command([*load, "--partition", "2026-11-30"], env, check=False)
    assert wrong.returncode == 1
    assert "--partition '2026-11-30' selects no landing folder" in wrong.stderr
    assert "did you mean date=2026-11-30?" in wrong.stderr
    right = run_command([*load, "--table", "events", "--partition", "date=2026-11-30"], env)
    assert "events         loaded    1 partition(s)" in right.stdout
