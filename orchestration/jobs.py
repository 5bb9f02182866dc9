"""Jobs."""

from dagster import AssetSelection, define_asset_job

full_build_job = define_asset_job(
    name="onboarding_full_build",
    selection=AssetSelection.all(),
    description="Load the landing zone and build every dbt model, with all checks.",
)
