"""What the Dagster definitions are expected to hold, shared by the definition tests and
the run tests."""

from dagster import AssetCheckKey, AssetKey

PARTITIONED = {
    AssetKey(["landing", "events"]),
    AssetKey(["raw", "events"]),
    AssetKey(["staging", "base_events"]),
    AssetKey(["staging", "stg_events"]),
    AssetKey(["staging", "stg_quarantine"]),
}
DRIFT_CHECKS = {
    "drift_volume",
    "drift_unknown_event_names",
    "drift_schema",
    "drift_null_rate",
    "drift_late_arrival",
    "drift_duplicates",
    "drift_quarantine",
    "drift_event_mix",
}


DRIFT_KEYS = {
    AssetCheckKey(AssetKey(["raw", "events"] if name == "drift_schema" else ["staging", "base_events"]), name)
    for name in DRIFT_CHECKS
}


def freshness_keys(graph) -> set:
    """Checks the freshness sensor runs, not the builds."""
    return {
        k
        for k in graph.asset_check_keys
        if k.name == "dbt_source_freshness" or k.name.startswith("freshness")
    }
