"""The static guard (tests/support/sql_guard.py): no SQL text built from non-constants in the
project's Python, no env_var() outside the macros that validate settings; and the
guard itself catches what it is meant to catch."""

import textwrap

import pytest

from tests.support.commands import REPO_ROOT
from tests.support.sql_guard import findings, jinja_findings, python_findings


def test_the_project_builds_no_sql_from_values_and_reads_settings_only_through_validating_macros():
    found = findings(REPO_ROOT)
    assert found == [], "\n".join(str(f) for f in found)


def _check(tmp_path, code: str) -> list[int]:
    """The lines of the findings in `code`."""
    path = tmp_path / "module.py"
    path.write_text(textwrap.dedent(code))
    return sorted({f.line for f in python_findings(path, "module.py")})


def test_the_guard_catches_sql_built_from_values(tmp_path):
    caught = _check(
        tmp_path,
        """
        def load(con, partition, table, path):
            con.execute(f"insert into raw.t select '{partition}' as p")
            con.execute("select * from raw.t where p = '%s'" % partition)
            con.execute("delete from {} where p = ?".format(table), [partition])
            con.execute("select count(*) from " + table)
            sql = f"copy t to '{path}' (format parquet)"
            con.execute(sql)
            query = make_query(table)
            con.sql(query)
            con.execute(f"create view v as select * from read_parquet('{path}')")

        def make_query(name):
            return f"select * from {name}"
        """,
    )
    # Every statement building SQL from a value (a parameter, whatever it holds).
    assert caught == [3, 4, 5, 6, 7, 8, 10, 11, 14], caught


def test_the_guard_accepts_parameters_constants_and_the_quoting_helper(tmp_path):
    assert (
        _check(
            tmp_path,
            """
            from orchestration.sql import quote_identifier, repository_query
            TABLE = "raw.events"
            COLUMNS = ("a", "b")
            TYPES = {"date": "date"}

            def _relation(name):
                return quote_identifier("raw", name)

            def load(con, table, column, partition):
                con.execute(f"select count(*) from {TABLE} where p = ?", [partition])
                con.execute(f"delete from {_relation(table)} where {quote_identifier(column)} = ?", [table])
                listed = ", ".join(f"max({c}) as max_{c}" for c in COLUMNS)
                con.execute(f"select {listed} from {TABLE}")
                con.execute(f"alter table t add column x {TYPES['date']}")
                con.execute(_count(_relation(table)))
                con.execute(f"select * from t limit {int(column)}")
                con.execute(repository_query(tiles[0]["sql"], DASHBOARDS))  # a query of the repository

            def _count(relation):
                return f"select count(*) from {relation}"
            """,
        )
        == []
    )


def test_the_guard_catches_env_var_outside_the_validating_macros(tmp_path):
    (tmp_path / "macros").mkdir()
    (tmp_path / "models").mkdir()
    (tmp_path / "macros" / "run_settings.sql").write_text("{{ env_var('ONBOARDING_AS_OF', '') }}")
    (tmp_path / "models" / "m.sql").write_text("select 1\nwhere x = '{{ env_var(\"ONBOARDING_X\") }}'\n")
    caught = jinja_findings(tmp_path)
    assert [(f.file, f.line) for f in caught] == [("models/m.sql", 2)]


def test_a_query_is_run_only_from_a_file_of_the_repository(tmp_path):
    from orchestration.sql import repository_query

    assert repository_query("select 1", REPO_ROOT / "bi" / "dashboards.yml") == "select 1"
    with pytest.raises(ValueError, match="only from files of the repository"):
        repository_query("select 1", tmp_path / "dashboards.yml")
