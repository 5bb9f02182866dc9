"""Writing landing files (Parquet or CSV) and guarding the output folder."""

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

MARKER = "_generator.json"
TABLES = ("events", "accounts", "subscriptions", "surveys")
DICTIONARY = ("account_id", "user_id")


class OutputDirError(Exception):
    pass


def iso_text(ms: np.ndarray) -> pa.Array:
    """Epoch milliseconds as ISO-8601 text, UTC without an offset: 2026-01-31 09:15:02.123."""
    return pa.array(np.asarray(ms, dtype=np.int64), pa.timestamp("ms")).cast(pa.string())


def prepare_output(out: Path, force: bool) -> None:
    """Refuse a folder that holds other data; clear what an earlier generation wrote."""
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists() and not force:
        raise OutputDirError(
            f"{out} is not empty and was not written by this generator; choose another --out or pass --force"
        )
    for name in (*TABLES, "_truth"):
        shutil.rmtree(out / name, ignore_errors=True)
    (out / MARKER).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def write_marker(out: Path, arguments: dict) -> None:
    (out / MARKER).write_text(
        json.dumps(
            {"generator": "onboarding_sample", "version": 1, "arguments": arguments},
            indent=2,
            sort_keys=True,
        )
        + "\n"
    )


def write_table(table: pa.Table, path_without_suffix: Path, fmt: str) -> Path:
    path = path_without_suffix.with_suffix(f".{fmt}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        # Dictionary encoding only where values repeat; the ids and times would not gain.
        repeating = [c for c in table.column_names if not c.endswith(("_id", "_at")) or c in DICTIONARY]
        pq.write_table(table.combine_chunks(), path, compression="zstd", use_dictionary=repeating)
    else:
        pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
    return path
