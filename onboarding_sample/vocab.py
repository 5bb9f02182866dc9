"""Event names and property texts as small vocabularies: events carry codes, and
string columns are built with one `take` per column."""

import json

import numpy as np

from onboarding_sample import config as cfg
from onboarding_sample.seeds import SegmentConfig

PAGES = ("home", "workflows", "integrations", "dashboards", "settings", "reports", "billing")
INTEGRATIONS = ("salesforce", "hubspot", "slack", "postgres", "snowflake", "stripe")
ROLES = ("admin", "member", "viewer")
SSO_PROVIDERS = ("okta", "azure_ad", "google")
WORKFLOWS = tuple(f"wf_{i}" for i in range(1, 13))


def _dumps(value: dict) -> str:
    return json.dumps(value, separators=(", ", ": "))


class Vocabulary:
    """Codes for event names and for property texts (grouped by what they describe)."""

    def __init__(self, configs: dict[str, SegmentConfig]):
        names = [cfg.SESSION_START, "workspace_created", "sso_configured", "csm_outreach"]
        names += [name for name, _, _ in cfg.EVENT_MIX]
        names += [m.event_name for c in configs.values() for m in c.milestones]
        names += list(cfg.UNKNOWN_EVENT_NAMES)
        self.event_names = list(dict.fromkeys(names))
        self.event_code = {name: i for i, name in enumerate(self.event_names)}
        self.properties: list[str] = []
        self.groups: dict[str, np.ndarray] = {}
        self._build_groups(configs)

    def _group(self, key: str, values: list[dict]) -> None:
        start = len(self.properties)
        self.properties.extend(_dumps(v) for v in values)
        self.groups[key] = np.arange(start, len(self.properties), dtype=np.int32)

    def _build_groups(self, configs: dict[str, SegmentConfig]) -> None:
        self._group("page_viewed", [{"page": p} for p in PAGES])
        self._group("report_exported", [{"format": f} for f in ("csv", "pdf", "xlsx")])
        self._group("workflow_created", [{"workflow_id": w} for w in WORKFLOWS])
        self._group("workflow_run:success", [{"status": "success", "workflow_id": w} for w in WORKFLOWS])
        self._group("workflow_run:failed", [{"status": "failed", "workflow_id": w} for w in WORKFLOWS])
        self._group("user_invited", [{"role": r} for r in ROLES])
        self._group("integration_connected", [{"integration": i} for i in INTEGRATIONS])
        self._group("dashboard_shared", [{"dashboard_id": f"db_{i}"} for i in range(1, 9)])
        self._group("workspace_created", [{"workspace_id": "ws_1"}])
        self._group("sso_configured", [{"provider": p} for p in SSO_PROVIDERS])
        self._group("csm_outreach", [{"channel": c} for c in cfg.CSM_CHANNELS])
        for topic in cfg.HELP_TOPICS:
            self._group(f"help:{topic}", [{"topic": topic}])
            self._group(
                f"ticket:{topic}", [{"topic": topic, "priority": p} for p in ("low", "normal", "high")]
            )
        for action in cfg.FAILED_ACTIONS:
            self._group(f"failed:{action}", [{"action": action, "error_code": e} for e in cfg.ERROR_CODES])
        self._group("unknown", [{"source": "legacy"}])
        # A milestone rule with a property filter gets qualifying and non-qualifying texts.
        for config in configs.values():
            for m in config.milestones:
                if m.property_key is None:
                    continue
                for qualifies in (True, False):
                    key = self.milestone_group(m.event_name, m.property_key, m.property_value, qualifies)
                    if key in self.groups:
                        continue
                    value = m.property_value if qualifies else _other_value(m.property_value)
                    self._group(key, [{m.property_key: value}])

    @staticmethod
    def milestone_group(event: str, key: str | None, value: str | None, qualifies: bool) -> str:
        """The property group of an event counting (or not) towards a milestone rule."""
        if key is None:
            return event
        if event == "workflow_run" and key == "status" and value == "success":
            return "workflow_run:success" if qualifies else "workflow_run:failed"
        return f"{event}:{key}={value}:{qualifies}"

    def pick(self, rng: np.random.Generator, key: str, size: int) -> np.ndarray:
        group = self.groups[key]
        return group[rng.integers(0, len(group), size)]


def _other_value(value: str) -> str:
    return "failed" if value == "success" else f"not_{value}"
