"""The guard that keeps the models portable: no SQL file of the project calls a
function (or uses a construct) that exists on one engine only, or behaves
differently on DuckDB and on Spark, outside the dispatch macros of
macros/cross_engine.sql (and the Spark seed loader, macros/spark_seeds.sql).

The rules name the portable replacement. Comments are ignored; calls through
dbt's own cross-database macros (`dbt.dateadd(...)`) are portable. A new
engine-specific need goes into cross_engine.sql as an `adapter.dispatch`
macro with a `default__` (DuckDB) and a `spark__` implementation, and
test_spark_equivalence.py then shows both give the same rows.
"""

import re
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
SCANNED = ["models", "macros", "tests/dbt"]
# The files whose job is engine-specific SQL.
ALLOWED = {"macros/cross_engine.sql", "macros/spark_seeds.sql"}

# (function names, why they are not portable and what to use instead)
FUNCTION_RULES = [
    (
        "json_extract json_extract_string json_value json_valid json_type json_object json_keys"
        " get_json_object from_json to_json json_tuple json_object_keys schema_of_json",
        "JSON functions differ (DuckDB json_*, Spark get_json_object, to_json):"
        " use json_text(), is_json_object(), json_record()",
    ),
    (
        "epoch epoch_ms epoch_us epoch_ns unix_seconds unix_millis unix_micros unix_timestamp"
        " to_unix_timestamp from_unixtime timestamp_millis timestamp_seconds",
        "epoch arithmetic differs by engine: use elapsed_seconds(), day_number() or dbt.dateadd()",
    ),
    (
        "quantile quantile_cont quantile_disc median approx_quantile reservoir_quantile"
        " percentile percentile_approx approx_percentile",
        "percentile functions differ (exact or approximate): use percentile_cont() or median()",
    ),
    ("approx_count_distinct", "approximate distinct counts differ by engine: use count(distinct ...)"),
    ("try_cast", "bad text rounds on DuckDB ('4.5' as integer is 5), is null on Spark: use safe_cast()"),
    (
        "date_diff datediff timestampdiff months_between age",
        "DuckDB counts boundaries crossed, Spark elapsed units (and rejects a quoted part):"
        " use elapsed_seconds() or dbt.datediff()",
    ),
    (
        "date_add dateadd date_sub timestampadd add_months",
        "arguments differ by engine: use dbt.dateadd() (fractions of a second kept on both)",
    ),
    (
        "to_timestamp strptime make_timestamp to_date",
        "parsing differs (formats, time zones, bad text raises or is null): use parse_utc_timestamp()",
    ),
    ("strftime date_format to_char", "date format patterns differ (strftime vs Java): add a dispatch macro"),
    (
        "array_agg list string_agg listagg group_concat collect_list collect_set",
        "array_agg keeps NULLs on DuckDB only, dbt.listagg ignores its order on Spark: add a dispatch macro",
    ),
    (
        "regexp_matches regexp_full_match rlike regexp_like",
        "regular expression functions differ in name and dialect: add a dispatch macro",
    ),
    (
        "read_parquet read_csv read_csv_auto read_json parquet_scan",
        "file reads differ (read_parquet vs parquet.`path`): declare a source (register_landed_tables)",
    ),
    (
        "generate_series unnest explode posexplode sequence",
        "row generators differ: use integer_rows() (macros/metrics.sql)",
    ),
    (
        "struct_pack named_struct list_value map_from_entries",
        "struct and list constructors differ: use json_record() or plain columns",
    ),
    ("hash", "hash values differ by engine: use dbt.hash() (md5)"),
]
FUNCTIONS = {name: why for names, why in FUNCTION_RULES for name in names.split()}
# A call not reached through a Jinja object (`dbt.dateadd(` is dbt's portable macro).
CALL = re.compile(r"(?<![\w.])(" + "|".join(sorted(FUNCTIONS, key=len, reverse=True)) + r")\s*\(", re.I)
# (pattern, why, only outside Jinja blocks)
CONSTRUCTS = [
    (re.compile(r"::"), "`::` casts: write cast(x as type) (Spark 3.5 rejects `::`)", False),
    (
        re.compile(r"\bqualify\b", re.I),
        "QUALIFY: filter the window in an outer CTE (Spark 3.5 rejects it)",
        False,
    ),
    (
        re.compile(r"\*\s*(exclude|replace|except)\s*\(", re.I),
        "`select * exclude/replace/except (...)` is DuckDB's or Spark's own: list the columns",
        False,
    ),
    (
        re.compile(r"\bdbt\.(safe_cast|listagg)\s*\(", re.I),
        "dbt.safe_cast is a plain cast on dbt-duckdb, dbt.listagg drops its order on Spark: use safe_cast()",
        False,
    ),
    (
        re.compile(r"\bvarchar\b(?!\s*\()", re.I),
        "Spark 4 rejects VARCHAR without a length: use {{ dbt.type_string() }} (or `string` in a fixture)",
        False,
    ),
    (re.compile(r"`"), "backtick identifiers are Spark's: use plain or double-quoted names", True),
    (re.compile(r"->"), "JSON arrows and lambdas are engine-specific: use json_text()", False),
]
COMMENTS = re.compile(r"\{#.*?#\}|/\*.*?\*/|--[^\n]*", re.DOTALL)
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def _without_comments(sql: str) -> str:
    """The text with comments blanked out, keeping line numbers."""
    return COMMENTS.sub(lambda match: "\n" * match.group(0).count("\n"), sql)


def _project_macros() -> set[str]:
    names = set()
    for path in (REPO_ROOT / "macros").rglob("*.sql"):
        names.update(m.lower() for m in re.findall(r"\{%-?\s*macro\s+(\w+)\s*\(", path.read_text()))
    return names


def engine_specific_uses(
    sql: str, project_macros: frozenset[str] = frozenset()
) -> list[tuple[int, str, str]]:
    """(line, what, why) for each engine-specific function or construct in `sql`.
    Inside a Jinja block, a call of one of `project_macros` is the macro (median()
    of macros/metrics.sql), and backticks are text (an error message)."""
    text = _without_comments(sql)
    jinja = [match.span() for match in JINJA.finditer(text)]

    def in_jinja(position: int) -> bool:
        return any(start <= position < end for start, end in jinja)

    found = []
    for match in CALL.finditer(text):
        name = match.group(1).lower()
        if not (name in project_macros and in_jinja(match.start())):
            found.append((match.start(), f"{name}()", FUNCTIONS[name]))
    for pattern, why, outside_jinja_only in CONSTRUCTS:
        found += [
            (match.start(), match.group(0), why)
            for match in pattern.finditer(text)
            if not (outside_jinja_only and in_jinja(match.start()))
        ]
    return sorted((text.count("\n", 0, position) + 1, what, why) for position, what, why in found)


def _project_sql_files() -> list[Path]:
    files = [path for folder in SCANNED for path in sorted((REPO_ROOT / folder).rglob("*.sql"))]
    return [path for path in files if path.relative_to(REPO_ROOT).as_posix() not in ALLOWED]


def _unit_test_sql() -> list[tuple[str, str]]:
    """(where, SQL) of every unit-test input and expectation given as SQL (they run on
    both engines too)."""
    found = []
    for path in sorted((REPO_ROOT / "models").rglob("*.yml")):
        for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", []):
            for part in [*test.get("given", []), test.get("expect", {})]:
                if part.get("format") == "sql":
                    found.append((f"{path.relative_to(REPO_ROOT)} ({test['name']})", part["rows"]))
    return found


def test_no_engine_specific_sql_outside_the_dispatch_macros():
    files = _project_sql_files()
    assert any("marts" in path.parts for path in files)
    macros = frozenset(_project_macros())
    assert "median" in macros
    sources = [(str(path.relative_to(REPO_ROOT)), path.read_text()) for path in files]
    sources += _unit_test_sql()
    assert any("(" in where for where, _ in sources)  # unit-test fixtures in SQL are scanned
    problems = [
        f"{where}:{line}: {what} - {why}"
        for where, sql in sources
        for line, what, why in engine_specific_uses(sql, macros)
    ]
    assert not problems, "engine-specific SQL outside macros/cross_engine.sql:\n" + "\n".join(problems)


# Seed column types both engines accept (Spark 4 rejects VARCHAR without a length).
PORTABLE_SEED_TYPE = re.compile(r"(string|boolean|integer|bigint|double|date|timestamp|decimal\(\d+, ?\d+\))")


def test_seed_column_types_are_portable():
    seeds = yaml.safe_load((REPO_ROOT / "seeds" / "_seeds.yml").read_text())["seeds"]
    types = {
        (seed["name"], column): type_name
        for seed in seeds
        for column, type_name in seed.get("config", {}).get("column_types", {}).items()
    }
    assert types
    odd = {key: t for key, t in types.items() if not PORTABLE_SEED_TYPE.fullmatch(t.lower())}
    assert not odd, f"seed column types one engine rejects (use string, integer, double, ...): {odd}"


PLANTED = """
{#- json_extract_string(properties, '$.a') in a comment is fine -#}
with events as (
    select
        json_extract_string(properties, '$.plan') as plan,
        epoch_ms(occurred_at) as occurred_ms,
        quantile_cont(seconds, 0.5) as median_seconds,
        datediff('day', signed_up_at, occurred_at) as days,
        signed_up_at::date as signup_date,
        properties->>'plan' as plan_again,
        {{ dbt.dateadd('day', 7, 'signed_up_at') }} as window_end,  -- portable: dbt's macro
        {{ dbt.safe_cast('plan', 'integer') }} as plan_number,
        cast(account_id as varchar) as account_key,
    from {{ ref('stg_events') }}
    qualify row_number() over (partition by account_id order by occurred_at) = 1
)
select * exclude (plan_again) from events
"""


def test_the_guard_finds_engine_specific_sql_in_a_planted_model():
    found = engine_specific_uses(PLANTED)
    assert [(line, what) for line, what, _ in found] == [
        (5, "json_extract_string()"),
        (6, "epoch_ms()"),
        (7, "quantile_cont()"),
        (8, "datediff()"),
        (9, "::"),
        (10, "->"),
        (12, "dbt.safe_cast("),
        (13, "varchar"),
        (15, "qualify"),
        (17, "* exclude ("),
    ]
    assert "use json_text()" in found[0][2]


@pytest.mark.parametrize(
    "portable",
    [
        "{{ percentile_cont('seconds', 0.9) }} as p90",
        "{{ dbt.datediff('signed_up_at', 'occurred_at', 'day') }} as days",
        "qualifying as (select * from {{ ref('int_accounts') }})",
        "{{ safe_rate('a', 'b') }} -- try_cast(x as int) would not be",
        "{{ safe_cast(clean_text('seats'), 'integer') }} as seats",
        "cast(a as double) / nullif(b, 0) as share",
        "cast(a as varchar(20)) as a_text",
    ],
)
def test_the_guard_lets_portable_sql_through(portable):
    assert engine_specific_uses(portable) == []


def test_a_project_macro_named_like_a_function_is_portable_only_as_a_macro():
    sql = "select\n    median(seconds) as raw,\n    {{ median('seconds') }} as through_the_macro\n"
    assert [(line, what) for line, what, _ in engine_specific_uses(sql, frozenset({"median"}))] == [
        (2, "median()")
    ]
