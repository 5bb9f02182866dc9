"""The at-risk alerts outbox as an asset, downstream of the alerts mart: each run
sends the alerts not sent before (orchestration/alerts.py), never one twice."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.alerts.outbox import OutboxSettings, replaying, send_new_alerts
from orchestration.transform.resources import WarehouseResource

ALERTS_MART = AssetKey(["marts", "fct_at_risk_alerts"])
OUTBOX = AssetKey(["alerts", "at_risk_outbox"])


@asset(
    key=OUTBOX,
    deps=[ALERTS_MART],
    group_name="alerts",
    owners=["team:customer-success"],
    kinds={"duckdb", "python"},
    description="Sends the new at-risk alerts once: a line each in the outbox file "
    "(ONBOARDING_ALERTS_FILE), a POST to ONBOARDING_ALERTS_URL when set, and a row in the "
    "append-only table alerts.at_risk_outbox (which dbt never rebuilds).",
)
def at_risk_outbox(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    if replaying():
        context.log.info("ONBOARDING_AS_OF is set (a replay of history): no alert is sent")
        return MaterializeResult(metadata={"sent": 0, "replay": True})
    outbox = OutboxSettings.from_environment()
    with warehouse.connect() as con:
        result = send_new_alerts(con, outbox)
    for line in result.sent:
        context.log.info(f"alert {line['alert_id']}: {line['detail']}")
    return MaterializeResult(
        metadata={
            "sent": len(result.sent),
            "stale_not_sent": result.stale,
            "recorded_before": result.already_sent,
            "recovered_from_file": result.recovered,
            "posted": result.posted,
            "post_failures": result.post_failures,
            "outbox_file": MetadataValue.path(str(outbox.file)),
            "alerts": MetadataValue.md(
                "\n".join(
                    f"- `{line['account_id']}` {line['rule']}: {line['detail']}" for line in result.sent
                )
                or "none"
            ),
        }
    )
