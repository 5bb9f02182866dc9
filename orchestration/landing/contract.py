"""The landing contract, read from the dbt sources file (declared once, there)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from orchestration.lib import SOURCES_YML

# Columns the loader adds to every raw table, with their warehouse types.
LOADER_COLUMNS: dict[str, str] = {
    "_landing_date": "date",
    "_landing_partition": "varchar",
    "_source_file": "varchar",
    "_source_row": "bigint",
    "_parse_error": "varchar",
    "_raw_line": "varchar",
    "_loaded_at": "timestamp",
}


@dataclass(frozen=True)
class TableContract:
    """One landing table: its folder name, its columns and which are required."""

    name: str
    description: str
    columns: tuple[str, ...]
    required: frozenset[str]
    partitioned: bool
    # Column -> landing type (`meta.landing_type`: text, timestamp or json; default text):
    # what the files are expected to carry. The raw table holds every column as text.
    landing_types: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    # Column -> its description in the contract (shown as the column schema in Dagster).
    descriptions: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in self.required)


def _table_contract(table: dict) -> TableContract:
    columns = [c for c in table.get("columns", []) if not c["name"].startswith("_")]
    return TableContract(
        name=table["name"],
        description=" ".join(str(table.get("description", "")).split()),
        columns=tuple(c["name"] for c in columns),
        required=frozenset(c["name"] for c in columns if (c.get("meta") or {}).get("required")),
        partitioned=bool((table.get("meta") or {}).get("landing_partitioned")),
        landing_types={c["name"]: (c.get("meta") or {}).get("landing_type", "text") for c in columns},
        descriptions={c["name"]: " ".join(str(c.get("description", "")).split()) for c in columns},
    )


@cache
def load_contracts(sources_yml: Path = SOURCES_YML) -> dict[str, TableContract]:
    """The contract of every landing table, keyed by table name."""
    document = yaml.safe_load(sources_yml.read_text())
    (raw,) = [s for s in document["sources"] if s["name"] == "raw"]
    return {t["name"]: _table_contract(t) for t in raw["tables"]}
