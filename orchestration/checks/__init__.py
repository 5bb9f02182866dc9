"""Data-quality checks: drift checks per landing date, freshness checks, their config."""
