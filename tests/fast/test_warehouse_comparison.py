"""The comparison behind the rebuild-equivalence check (tests/support/rebuild_equivalence.py),
on planted warehouses: equal rows in any order pass, floats within 1e-9 pass, and every
other difference is reported by relation, even where the quick SQL path cannot compare."""

import os
from pathlib import Path

import duckdb

from tests.support.rebuild_equivalence import Workspace, compare_warehouses, input_signature

TABLE = (
    "create schema marts; "
    "create table marts.t as select * from (values {rows}) as t(id, share, tags, loaded_at)"
)


def _warehouse(path: Path, rows: str) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(TABLE.format(rows=rows))
    return path


BASE = "(1, 0.1, map {'a': 1}, now()), (2, 1e300, map {'b': 2}, now()), (2, 1e300, map {'b': 2}, now())"


def test_the_same_rows_in_another_order_and_another_load_time_are_equal(tmp_path):
    left = _warehouse(tmp_path / "a.duckdb", BASE)
    reordered = "(2, 1e300, map {'b': 2}, now() - interval 1 day), (1, 0.1, map {'a': 1}, now()), " + (
        "(2, 1e300, map {'b': 2}, now())"
    )
    assert compare_warehouses(left, _warehouse(tmp_path / "b.duckdb", reordered)) == []


def test_a_float_within_the_tolerance_is_equal_and_beyond_it_differs(tmp_path):
    left = _warehouse(tmp_path / "a.duckdb", BASE)
    close = BASE.replace("0.1,", "0.1000000000000001,")
    assert compare_warehouses(left, _warehouse(tmp_path / "b.duckdb", close)) == []
    far = BASE.replace("0.1,", "0.1000001,")
    (difference,) = compare_warehouses(left, _warehouse(tmp_path / "c.duckdb", far))
    assert difference.startswith("marts.t: 3 rows vs 3")


def test_a_missing_duplicate_and_a_changed_map_are_reported(tmp_path):
    left = _warehouse(tmp_path / "a.duckdb", BASE)
    one_copy = "(1, 0.1, map {'a': 1}, now()), (2, 1e300, map {'b': 2}, now())"
    (difference,) = compare_warehouses(left, _warehouse(tmp_path / "b.duckdb", one_copy))
    assert difference.startswith("marts.t: 3 rows vs 2")
    changed_map = BASE.replace("map {'a': 1}", "map {'a': 2}")
    assert compare_warehouses(left, _warehouse(tmp_path / "c.duckdb", changed_map)) != []


def test_a_relation_or_a_column_type_on_one_side_only_is_reported(tmp_path):
    left = _warehouse(tmp_path / "a.duckdb", BASE)
    right = _warehouse(tmp_path / "b.duckdb", BASE)
    with duckdb.connect(str(right)) as con:
        con.execute("alter table marts.t alter id type bigint")
        con.execute("create table marts.extra as select 1 as x")
    differences = compare_warehouses(left, right)
    assert any("only reference ['marts.extra']" in d for d in differences)
    assert "marts.t: columns differ" in differences


def test_the_reference_is_rebuilt_whenever_an_input_of_a_full_build_changed(tmp_path):
    """A step keeps the previous reference only when nothing a from-scratch build reads
    changed: the project's dbt files, the landing zone, the settings."""
    ws = Workspace(root=tmp_path, rng=None)  # type: ignore[arg-type]
    for name in ("dbt_project.yml", "profiles.yml", "seeds/milestones.csv", "models/m.sql", "macros/x.sql"):
        (ws.project / name).parent.mkdir(parents=True, exist_ok=True)
        (ws.project / name).write_text("a")
    (ws.landing / "events" / "date=2026-01-01").mkdir(parents=True)
    (ws.landing / "events" / "date=2026-01-01" / "e.csv").write_text("a")
    (ws.project / "target_incremental").mkdir()
    seen = {input_signature(ws)}
    # What a build writes (its target folder, logs) is no input.
    (ws.project / "target_incremental" / "manifest.json").write_text("{}")
    assert input_signature(ws) in seen
    for change in (
        lambda: (ws.project / "seeds" / "milestones.csv").write_text("b"),
        lambda: (ws.project / "models" / "m.sql").write_text("b"),
        lambda: (ws.project / "macros" / "y.sql").write_text("a"),
        lambda: (ws.project / "dbt_project.yml").write_text("b"),
        lambda: (ws.landing / "events" / "date=2026-01-01" / "e.csv").write_text("b"),
        lambda: (ws.landing / "events" / "date=2026-01-01" / "e.csv").rename(ws.landing / "events" / "e.csv"),
        lambda: ws.settings.update(ONBOARDING_AS_OF="2026-01-02"),
        # A touched file is re-delivered to the loader, which records its modification time.
        lambda: os.utime(ws.landing / "events" / "e.csv", ns=(1, 1)),
    ):
        change()
        signature = input_signature(ws)
        assert signature not in seen
        seen.add(signature)
