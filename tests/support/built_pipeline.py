"""One generated dataset, with hand-written bad rows, loaded and built once per
test session (the `built` fixture in conftest.py)."""

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tests.support.commands import (
    ONBOARDING,
    generate_sample,
    load_landing,
    project_env,
    run_command,
    run_dbt,
)
from tests.support.hostile import FILE_READ, INJECTION


@dataclass
class Built:
    data_dir: Path
    warehouse: Path
    env: dict
    summary: dict

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql).fetchall()

    def truth(self, name: str) -> str:
        return f"read_parquet('{self.data_dir / '_truth' / name}.parquet')"


# Bad rows written by hand beside the generated files, in CSV: reasons the
# generator does not plant, for every landing table. (table, reason) -> rows.
INJECTED = {
    ("events", "malformed_line"): 1,
    ("events", "missing_event_id"): 1,
    ("events", "missing_event_name"): 1,
    ("events", "invalid_received_at"): 1,
    ("events", "after_load_time"): 1,
    ("events", "before_earliest_date"): 1,
    ("accounts", "malformed_line"): 1,
    ("accounts", "missing_account_id"): 1,
    ("accounts", "invalid_signed_up_at"): 1,
    ("accounts", "duplicate_account_id"): 1,
    ("accounts", "before_earliest_date"): 1,
    ("accounts", "after_load_time"): 1,
    ("subscriptions", "unknown_account"): 1,
    ("subscriptions", "period_end_before_start"): 1,
    ("subscriptions", "invalid_mrr"): 1,
    ("subscriptions", "invalid_seats"): 1,
    ("subscriptions", "mrr_beyond_cents"): 1,
    ("subscriptions", "fractional_seats"): 1,
    ("subscriptions", "overlapping_period"): 1,
    ("surveys", "unknown_survey_type"): 1,
    ("surveys", "invalid_score"): 1,
    ("surveys", "invalid_submitted_at"): 1,
    ("surveys", "missing_response_id"): 1,
    ("surveys", "duplicate_response_id"): 1,
    ("surveys", "fractional_score"): 1,
    ("surveys", "after_load_time"): 1,
}
# The injected files sit under hostile folder and file names (tests/support/hostile.py): they
# load as data, and their rows carry the names verbatim to the quarantine.
INJECTED_FILES = {
    "events": f"{INJECTION}/o'brien; drop table raw.events; --.csv",
    "accounts": f"{FILE_READ}/ev*[1]?{{a,b}}.csv",
    "subscriptions": 'semi;colon "quoted"/new\nline.csv',
    "surveys": "café-日本語-😀/$path $partition.csv",
}


def inject_bad_rows(data_dir: Path) -> None:
    first_account = duckdb.sql(
        f"select * from read_parquet('{data_dir}/accounts/accounts.parquet') limit 1"
    ).fetchall()[0]
    first_period = duckdb.sql(
        f"select account_id, min(period_start) from read_parquet('{data_dir}/subscriptions/*.parquet') "
        "group by 1 order by 1 limit 1"
    ).fetchall()[0]
    first_response = duckdb.sql(
        f"select response_id from read_parquet('{data_dir}/surveys/surveys.parquet') limit 1"
    ).fetchall()[0][0]
    last_day = sorted((data_dir / "events").iterdir())[-1]
    # A period of the first subscribed account starting an hour after its first one, while
    # that one still runs: the later one is overlapping_period.
    overlap_start = dt.datetime.fromisoformat(first_period[1]) + dt.timedelta(hours=1)
    files = {
        last_day / INJECTED_FILES["events"]: [
            "event_id,account_id,user_id,event_name,occurred_at,received_at,properties",
            "inj_1,acc_000001,u,login",
            ",acc_000001,u,login,2026-01-05 10:00:00,2026-01-05 10:00:01,",
            "inj_3,acc_000001,u,,2026-01-05 10:00:00,2026-01-05 10:00:01,",
            "inj_4,acc_000001,u,login,2026-01-05 10:00:00,soon,",
            # Received in 2999: one such row moved every metric before it was quarantined.
            "inj_5,acc_000001,u,login,2026-01-05 10:00:00,2999-01-01 00:00:00,",
            "inj_6,acc_000001,u,login,1970-01-01 00:00:00,2026-01-05 10:00:01,",
        ],
        data_dir / "accounts" / INJECTED_FILES["accounts"]: [
            "account_id,account_name,signed_up_at,segment,plan,industry,company_size,"
            "acquisition_channel,onboarding_variant",
            ",".join("" if v is None else str(v) for v in first_account),  # a re-export of the same row
            ",Nameless,2026-01-02 10:00:00,smb,pro,retail,1-10,organic,",
            "acc_bad_date,Bad Date,yesterday,smb,pro,retail,1-10,organic,",
            "acc_short,Too Short",
            "acc_1900,Ancient,1900-01-01 00:00:00,smb,pro,retail,1-10,organic,",
            "acc_2999,Future,2999-01-01 00:00:00,smb,pro,retail,1-10,organic,",
        ],
        data_dir / "subscriptions" / INJECTED_FILES["subscriptions"]: [
            "account_id,period_start,period_end,mrr,seats,plan",
            "acc_ghost,2026-01-01 00:00:00,,100,2,pro",
            "acc_000001,2026-02-01 00:00:00,2026-01-01 00:00:00,100,2,pro",
            "acc_000001,2026-02-01 00:00:00,,ten,2,pro",
            "acc_000001,2026-02-01 00:00:00,,100,-3,pro",
            "acc_000001,2026-02-01 00:00:00,,12.345,2,pro",
            "acc_000001,2026-02-01 00:00:00,,100,2.7,pro",
            f"{first_period[0]},{overlap_start},,1000,2,pro",
        ],
        data_dir / "surveys" / INJECTED_FILES["surveys"]: [
            "response_id,account_id,user_id,survey_type,score,comment,submitted_at",
            "inj_s1,acc_000001,u,ces,3,,2026-01-05 10:00:00",
            "inj_s2,acc_000001,u,nps,11,,2026-01-05 10:00:00",
            "inj_s3,acc_000001,u,csat,4,,last week",
            ",acc_000001,u,csat,4,,2026-01-05 10:00:00",
            f"{first_response},acc_000001,u,csat,4,again,2026-01-05 10:00:00",
            "inj_s6,acc_000001,u,csat,4.5,,2026-01-05 10:00:00",
            "inj_s7,acc_000001,u,csat,4,,2999-01-01 00:00:00",
        ],
    }
    for path, lines in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")


def build_pipeline(root: Path) -> Built:
    """Generate a sample, add hand-written bad rows, load it and run `dbt build`."""
    data_dir = generate_sample(root / "landing", 300, 100, 11)
    inject_bad_rows(data_dir)
    env = project_env(data_dir, root / "warehouse" / "onboarding.duckdb")
    load_landing(env)
    # As `make build` (unit tests apart): the models below the predictions, the prediction
    # step, then the models that read them (orchestration/predict/).
    production = ["--exclude-resource-type", "unit_test"]
    run_dbt(["build", *production, "--exclude", "source:predict+"], env)
    run_command([ONBOARDING, "predict"], env)
    run_dbt(["build", *production, "-s", "source:predict+"], env)
    summary = json.loads((data_dir / "_truth" / "summary.json").read_text())
    return Built(data_dir, Path(env["ONBOARDING_WAREHOUSE"]), env, summary)
