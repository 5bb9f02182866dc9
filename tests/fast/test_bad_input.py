"""The bad-input catalogue of the landing loader, one file class per case: each either
loads (rows as text, a line that does not parse kept as a malformed row with its
error) or fails its partition with a message naming the file, while a good file of
another partition still loads. Nothing is dropped in silence. (Row classes, from
bad ids to impossible timestamps, are the quarantine's: tests/pipeline/test_pipeline.py and
the dbt unit tests of the base_ models.)"""

import gzip
import io
import re

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from orchestration.landing import LandingLoadError, load_contracts, load_table
from tests.support.commands import REPO_ROOT

EVENTS = load_contracts()["events"]
HEADER = "event_id,account_id,user_id,event_name,occurred_at,received_at,properties"


def row(i: int, name: str = "login", properties: str = "") -> str:
    return f"e{i},a1,,{name},2026-01-01 10:00:00,2026-01-01 10:00:01,{properties}"


def lines(*items: str, end: str = "\n") -> bytes:
    return (end.join(items) + end).encode()


def parquet(**columns) -> bytes:
    out = io.BytesIO()
    pq.write_table(pa.table(columns), out)
    return out.getvalue()


GOOD_PARQUET = parquet(
    event_id=["e1"], account_id=["a1"], event_name=["login"], occurred_at=["2026-01-01 10:00:00"],
    received_at=["2026-01-01 10:00:01"],
)  # fmt: skip

# name -> (bytes, expected): ("loads", rows, malformed lines) or ("fails", part of the message).
CATALOGUE = {
    "utf8_bom.csv": ("\ufeff".encode() + lines(HEADER, row(1)), ("loads", 1, 0)),
    "crlf.csv": (lines(HEADER, row(1), row(2), end="\r\n"), ("loads", 2, 0)),
    "no_final_newline.csv": (lines(HEADER, row(1))[:-1], ("loads", 1, 0)),
    "blank_lines.csv": (lines(HEADER, "", row(1), ""), ("loads", 1, 0)),
    "header_only.csv": (lines(HEADER), ("loads", 0, 0)),
    "quoted_comma_and_newline.csv": (
        lines(HEADER, row(1, properties='"{""topic"": ""a, b\nc""}"')),
        ("loads", 1, 0),
    ),
    "nul_byte_in_value.csv": (lines(HEADER, row(1, name="lo\x00gin")), ("loads", 1, 0)),
    "unknown_extra_column.csv": (lines(HEADER + ",crm_owner", row(1) + ",ann"), ("loads", 1, 0)),
    "missing_optional_columns.csv": (
        lines("event_id,account_id,event_name,occurred_at,received_at", "e1,a1,login,2026-01-01,2026-01-01"),
        ("loads", 1, 0),
    ),
    "upper_case_extension.CSV": (lines(HEADER, row(1)), ("loads", 1, 0)),
    "gzipped.csv.gz": (gzip.compress(lines(HEADER, row(1), row(2))), ("loads", 2, 0)),
    "typed.parquet": (GOOD_PARQUET, ("loads", 1, 0)),
    "too_few_columns.csv": (lines(HEADER, "e1,a1,login", row(2)), ("loads", 2, 1)),
    "too_many_columns.csv": (lines(HEADER, row(1) + ",x,y", row(2)), ("loads", 2, 1)),
    "unterminated_quote.csv": (
        lines(HEADER, row(1), 'e2,a1,,"login,2026-01-01,2026-01-01,'),
        ("loads", 2, 1),
    ),
    "three_megabyte_field.csv": (
        lines(HEADER, row(1, properties='"' + "x" * 3_000_000 + '"')),
        ("loads", 1, 1),
    ),
    "latin1.csv": (
        lines(HEADER).replace(b"\n", b"") + b"\n" + row(1, name="caf\xe9").encode("latin-1") + b"\n",
        ("fails", "cannot be read as UTF-8 CSV"),
    ),  # fmt: skip
    "utf16.csv": ((HEADER + "\n" + row(1) + "\n").encode("utf-16"), ("fails", "cannot be read as UTF-8 CSV")),
    "binary_noise.csv": (bytes(range(256)) * 8, ("fails", "cannot be read as UTF-8 CSV")),
    "empty.csv": (b"", ("fails", "is empty: a CSV file needs a header row")),
    "duplicated_header.csv": (
        lines(HEADER + ",event_id", row(1) + ",x"),
        ("fails", "has duplicated column(s) event_id"),
    ),
    "missing_required.csv": (
        lines("event_id,user_id", "e1,u"),
        ("fails", "is missing required column(s) account_id"),
    ),
    "semicolon_separated.csv": (
        lines(HEADER.replace(",", ";"), row(1).replace(",", ";")),
        ("fails", "is missing required column(s)"),
    ),  # fmt: skip
    "truncated.csv.gz": (
        gzip.compress(lines(HEADER, *(row(i) for i in range(200))))[:-30],
        ("fails", "cannot be read"),
    ),
    "corrupt.parquet": (b"PAR1 this is not parquet", ("fails", "is not a readable Parquet file")),
    "truncated.parquet": (
        GOOD_PARQUET[: len(GOOD_PARQUET) // 2],
        ("fails", "is not a readable Parquet file"),
    ),
    "parquet_missing_required.parquet": (
        parquet(event_id=["e1"]),
        ("fails", "is missing required column(s)"),
    ),
    "notes.txt": (b"hello", ("fails", "has an unsupported file type")),
    "archive.gz": (gzip.compress(b"x"), ("fails", "has an unsupported file type")),
}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_each_bad_file_class_loads_or_fails_its_partition_naming_the_file(tmp_path, name):
    data, expected = CATALOGUE[name]
    bad = tmp_path / "events" / "date=2026-01-02" / name
    bad.parent.mkdir(parents=True)
    bad.write_bytes(data)
    good = tmp_path / "events" / "date=2026-01-01" / "good.csv"
    good.parent.mkdir(parents=True)
    good.write_bytes(lines(HEADER, row(100)))
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        if expected[0] == "fails":
            with pytest.raises(LandingLoadError) as failure:
                load_table(con, EVENTS, tmp_path)
            assert f"landing file events/date=2026-01-02/{name}: {expected[1]}" in str(failure.value)
            landed = con.execute("select _landing_partition, count(*) from raw.events group by 1").fetchall()
            assert landed == [("date=2026-01-01", 1)]  # the other partition loaded; nothing of this one
        else:
            result = load_table(con, EVENTS, tmp_path)
            _, rows, malformed = expected
            assert (result.rows_loaded - 1, result.malformed_lines) == (rows, malformed)
            parsed, broken = con.execute(
                "select count(*) filter (where _parse_error is null), "
                "count(*) filter (where _parse_error is not null) "
                "from raw.events where _landing_partition = 'date=2026-01-02'"
            ).fetchone()
            assert (parsed + broken, broken) == (rows, malformed)
            # A malformed line is kept whole with the reader's error, for the quarantine.
            assert con.execute(
                "select count(*) from raw.events "
                "where _parse_error is not null and (_raw_line is null or _raw_line = '')"
            ).fetchone() == (0,)


# Reasons decided where a table's rows are read rather than in its base_ model: whether
# an event's account is known (macros/quality.sql, event_quarantine_reason).
READ_TIME_REASONS = {"events": ("event_quarantine_reason", {"unknown_account"})}


def _reasons_in_sql(table: str) -> set[str]:
    """The reasons the staging SQL of a table gives (its first_failing_check lists and the
    reasons set in CASE branches, also in the macro deciding read-time reasons)."""
    found = set()
    for path in (REPO_ROOT / "models" / "staging").rglob(f"*_{table}.sql"):
        text = path.read_text()
        found |= set(re.findall(r',\s*"([a-z_]+)"\s*\]', text))
        found |= set(re.findall(r"then '([a-z_]+)'\s*$", text, re.MULTILINE))
    if table in READ_TIME_REASONS:
        macros = (REPO_ROOT / "macros" / "quality.sql").read_text()
        name = READ_TIME_REASONS[table][0]
        body = macros[
            macros.index(f"macro {name}(") : macros.index("endmacro", macros.index(f"macro {name}("))
        ]
        found |= set(re.findall(r"then '([a-z_]+)'\s*$", body, re.MULTILINE))
    return found | {"malformed_line"}  # macros/quality.sql malformed_line_check, every table


def _reasons_accepted(table: str) -> set[str]:
    document = yaml.safe_load((REPO_ROOT / "models" / "staging" / "base" / f"base_{table}.yml").read_text())
    (model,) = document["models"]
    (column,) = [c for c in model["columns"] if c["name"] == "quarantine_reason"]
    (test,) = [t for t in column["data_tests"] if "accepted_values" in t]
    read_time = READ_TIME_REASONS.get(table, ("", set()))[1]
    return set(test["accepted_values"]["arguments"]["values"]) | read_time


def _reasons_in_contract(table: str) -> set[str]:
    document = yaml.safe_load((REPO_ROOT / "models" / "staging" / "_sources.yml").read_text())
    (raw,) = [s for s in document["sources"] if s["name"] == "raw"]
    (contract,) = [t for t in raw["tables"] if t["name"] == table]
    found = {"malformed_line"}
    for column in contract["columns"]:
        meta = column.get("meta") or {}
        if not column["name"].startswith("_"):
            assert {"staged_type", "rule"} <= set(meta), f"{table}.{column['name']}: type and rule"
        found |= set(meta.get("reasons", []))
    for rule in (contract.get("meta") or {}).get("rules", []):
        found |= set(rule["reasons"])
    return found


def _reasons_in_readme() -> set[str]:
    text = (REPO_ROOT / "docs" / "own-data.md").read_text()
    section = text[text.index("**Bad input.**") : text.index("**Late and repeated events.**")]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {code for line in rows for code in re.findall(r"`([a-z_]+)`", line.split("|")[1])}


def test_every_quarantine_reason_is_in_the_contract_the_tests_and_the_readme():
    """The reasons staging gives, per table, are the model's accepted values and the
    contract's (_sources.yml, where every column states its type and rule); docs/own-data.md's
    bad-input table lists every one of them."""
    every = set()
    for table in ("events", "accounts", "subscriptions", "surveys"):
        in_sql = _reasons_in_sql(table)
        assert in_sql == _reasons_accepted(table), table
        assert in_sql == _reasons_in_contract(table), table
        every |= in_sql
    assert _reasons_in_readme() == every
