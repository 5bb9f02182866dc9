"""The milestone configuration the generator plants, read from the dbt seeds."""

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Milestone:
    step: int
    name: str
    event_name: str
    property_key: str | None
    property_value: str | None
    min_count: int
    expected_by_day: int
    is_activation: bool
    is_first_value: bool

    @property
    def family(self) -> tuple[str, str | None, str | None]:
        """Milestones of one family count the same events."""
        return (self.event_name, self.property_key, self.property_value)


@dataclass(frozen=True)
class SegmentConfig:
    name: str
    activation_window_days: int
    onboarding_period_days: int
    milestones: tuple[Milestone, ...]

    @property
    def activation_index(self) -> int:
        return next(i for i, m in enumerate(self.milestones) if m.is_activation)

    @property
    def first_value_index(self) -> int:
        return next(i for i, m in enumerate(self.milestones) if m.is_first_value)

    def family_members(self, index: int) -> list[int]:
        """Indexes of the milestones sharing the family of milestone `index`, by min_count."""
        family = self.milestones[index].family
        members = [i for i, m in enumerate(self.milestones) if m.family == family]
        return sorted(members, key=lambda i: self.milestones[i].min_count)


class SeedConfigError(ValueError):
    pass


def _flag(value: str) -> bool:
    return value.strip().lower() in ("true", "1", "yes")


def read_segment_configs(seeds_dir: Path) -> dict[str, SegmentConfig]:
    """Segments and their ordered milestones, validated for what the generator can plant."""
    with open(seeds_dir / "segments.csv", newline="") as handle:
        segments = list(csv.DictReader(handle))
    with open(seeds_dir / "milestones.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    configs = {}
    for segment in segments:
        name = segment["segment"].strip()
        milestones = tuple(
            sorted(
                (
                    Milestone(
                        step=int(r["step_number"]),
                        name=r["milestone_name"],
                        event_name=r["event_name"],
                        property_key=r["property_key"] or None,
                        property_value=r["property_value"] or None,
                        min_count=int(r["min_count"]),
                        expected_by_day=int(r["expected_by_day"]),
                        is_activation=_flag(r["is_activation"]),
                        is_first_value=_flag(r["is_first_value"]),
                    )
                    for r in rows
                    if r["segment"].strip() == name
                ),
                key=lambda m: m.step,
            )
        )
        config = SegmentConfig(
            name, int(segment["activation_window_days"]), int(segment["onboarding_period_days"]), milestones
        )
        _validate(config)
        configs[name] = config
    if "default" not in configs:
        raise SeedConfigError("seeds/segments.csv has no `default` row")
    return configs


def read_rule_threshold(seeds_dir: Path, rule_name: str) -> int:
    """The threshold of an at-risk rule (seeds/at_risk_rules.csv)."""
    with open(seeds_dir / "at_risk_rules.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["rule_name"].strip() == rule_name:
                return int(row["threshold"])
    raise SeedConfigError(f"seeds/at_risk_rules.csv has no rule '{rule_name}'")


def _validate(config: SegmentConfig) -> None:
    where = f"segment '{config.name}'"
    if not config.milestones:
        raise SeedConfigError(f"{where} has no milestones")
    if sum(m.is_activation for m in config.milestones) != 1:
        raise SeedConfigError(f"{where} needs exactly one activation milestone")
    if sum(m.is_first_value for m in config.milestones) != 1:
        raise SeedConfigError(f"{where} needs exactly one first-value milestone")
    by_event: dict[str, set] = {}
    for m in config.milestones:
        by_event.setdefault(m.event_name, set()).add(m.family)
    for event, families in by_event.items():
        if len(families) > 1:
            raise SeedConfigError(
                f"{where}: milestones on event '{event}' use different property filters; "
                "the generator can only plant one filter per event and segment"
            )
    for i in range(len(config.milestones)):
        members = config.family_members(i)
        counts = [config.milestones[j].min_count for j in members]
        if members != sorted(members) or len(set(counts)) != len(counts):
            raise SeedConfigError(
                f"{where}: milestones on '{config.milestones[i].event_name}' must have min_count "
                "increasing with the step number"
            )
