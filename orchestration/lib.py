"""Small shared helpers: where things live and how to open the warehouse.

Every path is overridable through the environment; relative values are taken
relative to the repository root, which is also where dbt runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import yaml

from orchestration import settings

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT
DBT_PROFILES_DIR = REPO_ROOT  # profiles.yml: dbt finds it in the repository root
SEEDS_DIR = REPO_ROOT / "seeds"
SOURCES_YML = REPO_ROOT / "models" / "staging" / "_sources.yml"


def setting(name: str) -> str:
    """The value of an ONBOARDING_* setting: the environment, else the default; checked
    (orchestration/settings.py: a bad value raises, naming the setting)."""
    value = settings.get(name)
    if value is None:
        raise KeyError(f"{name} has no default")
    return value


def repo_path(value: str | os.PathLike[str]) -> Path:
    """A path from a setting: absolute as given, relative to the repository root."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def data_dir() -> Path:
    """The landing zone (ONBOARDING_DATA_DIR)."""
    return repo_path(setting("ONBOARDING_DATA_DIR"))


def warehouse_path() -> Path:
    """The DuckDB warehouse file (ONBOARDING_WAREHOUSE)."""
    return repo_path(setting("ONBOARDING_WAREHOUSE"))


def dbt_outputs() -> dict[str, str]:
    """The outputs of profiles.yml: target name -> adapter type."""
    profile = yaml.safe_load((DBT_PROFILES_DIR / "profiles.yml").read_text())["onboarding"]
    return {name: output["type"] for name, output in profile["outputs"].items()}


# Outputs of profiles.yml that only read (the semantic layer over the serving snapshot).
READ_ONLY_TARGETS = {"serving"}


def dbt_target() -> str:
    """The dbt target the project builds on (ONBOARDING_DBT_TARGET): an output of
    profiles.yml, `duckdb` by default; not a read-only one."""
    target = setting("ONBOARDING_DBT_TARGET")
    outputs = {name: kind for name, kind in dbt_outputs().items() if name not in READ_ONLY_TARGETS}
    if target not in outputs:
        raise ValueError(
            f"ONBOARDING_DBT_TARGET={target!r} is not an output of profiles.yml that "
            f"builds ({', '.join(outputs)}; `serving` only reads the snapshot, for `mf query`)"
        )
    return target


def on_spark() -> bool:
    """True when the target runs on Spark (dbt-spark, or dbt-databricks, built on it)."""
    return dbt_outputs()[dbt_target()] in ("spark", "databricks")


def spark_tables_dir() -> Path:
    """The Spark target's warehouse folder (spark.sql.warehouse.dir of the local session
    in profiles.yml): a table `schema.name` is `<dir>/<schema>.db/<name>/`."""
    return repo_path(setting("ONBOARDING_SPARK_DIR")) / "tables"


def spark_raw_dir() -> Path | None:
    """Where the landing loader mirrors the raw tables as Parquet for the Spark target:
    ONBOARDING_SPARK_RAW_LOCATION (a local folder), else the `raw` schema's folder of
    the Spark warehouse; None on the DuckDB target. Spark reads `raw.<table>` from
    `<dir>/<table>` (the dbt hook register_landed_tables)."""
    if not on_spark():
        return None
    location = settings.get("ONBOARDING_SPARK_RAW_LOCATION")
    if not location:
        return spark_tables_dir() / "raw.db"
    folder = Path(location.removeprefix("file://"))
    if "://" in str(folder) or not folder.is_absolute():
        raise ValueError(
            f"ONBOARDING_SPARK_RAW_LOCATION={location}: the landing loader writes an absolute local "
            "folder only; on a cluster, load the raw tables with your own ingestion"
            " (docs/spark.md)"
        )
    return folder


def connect_warehouse(path: Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse with the same settings as the dbt profile."""
    path = path or warehouse_path()
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    temp_dir = repo_path(setting("ONBOARDING_TEMP_DIR"))
    temp_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        str(path),
        read_only=read_only,
        config={
            "memory_limit": setting("ONBOARDING_MEMORY_LIMIT"),
            "threads": int(setting("ONBOARDING_DUCKDB_THREADS")),
            "temp_directory": str(temp_dir),
        },
    )
    # Set once connected: the time-zone setting needs the ICU extension loaded.
    con.execute("set TimeZone = 'UTC'")
    return con


def format_value(value) -> str:
    """A cell for a table: floats with 3 significant decimals, None as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def markdown_table(headers: list[str], rows: list[tuple]) -> str:
    """A GitHub-flavoured markdown table (what Dagster shows in materialization metadata)."""

    def line(cells) -> str:
        return "| " + " | ".join(format_value(c).replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(headers), "|" + "---|" * len(headers), *(line(r) for r in rows)])
