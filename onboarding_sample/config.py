"""The parameters of the simulated world, in one place so later work can extend them."""

from dataclasses import dataclass, field

DAY_MS = 86_400_000
HOUR_MS = 3_600_000

SEGMENTS = ("smb", "mid_market", "enterprise")
SEGMENT_SHARES = (0.6, 0.3, 0.1)
# Accounts whose segment is not in the segments seed, or empty: they take the default config.
UNCONFIGURED_SEGMENT = "partner"
UNCONFIGURED_SHARE = 0.01
EMPTY_SEGMENT_SHARE = 0.005

PLANS = {"smb": ("starter", "pro"), "mid_market": ("pro", "business"), "enterprise": ("enterprise",)}
PLAN_SHARES = {"smb": (0.6, 0.4), "mid_market": (0.5, 0.5), "enterprise": (1.0,)}
SEAT_PRICE = {"starter": 15.0, "pro": 35.0, "business": 60.0, "enterprise": 90.0}
SEATS = {"starter": (1, 5), "pro": (3, 25), "business": (10, 60), "enterprise": (50, 400)}
USERS = {"smb": (1, 5), "mid_market": (3, 15), "enterprise": (8, 40)}
COMPANY_SIZES = {
    "smb": ("1-10", "11-50"),
    "mid_market": ("51-200", "201-1000"),
    "enterprise": ("1001-5000", "5000+"),
}
INDUSTRIES = (
    "software",
    "retail",
    "healthcare",
    "finance",
    "manufacturing",
    "education",
    "media",
    "logistics",
)
CHANNELS = ("organic", "paid_search", "referral", "outbound_sales", "partner")
CHANNEL_SHARES = {
    "smb": (0.45, 0.3, 0.15, 0.02, 0.08),
    "mid_market": (0.3, 0.2, 0.15, 0.25, 0.1),
    "enterprise": (0.1, 0.05, 0.1, 0.65, 0.1),
}
NAME_WORDS = ("Acme", "Blue", "North", "Bright", "Summit", "Pine", "Iron", "Silver", "Nova", "Atlas")
NAME_NOUNS = ("Labs", "Works", "Systems", "Analytics", "Foods", "Health", "Logistics", "Media")

# Onboarding experiment: before this share of the period, accounts are in no experiment.
EXPERIMENT_START_SHARE = 0.2
VARIANTS = ("control", "guided_setup")


@dataclass(frozen=True)
class JourneyParams:
    """Top-down onboarding outcomes."""

    abandon_share: float = 0.05  # sign up and never do anything
    in_window: dict = field(
        default_factory=lambda: {"smb": 0.45, "mid_market": 0.40, "enterprise": 0.35, "default": 0.40}
    )
    guided_setup_lift: float = 0.08  # planted absolute lift on in-window activation
    engagement_effect: float = 0.10  # change of the in-window probability per sd of engagement
    late_share: float = 0.15  # activates after the window
    boundary_share: float = 0.005  # in-window activators exactly at the window's end
    post_activation_reach: float = 0.6
    out_of_order_share: float = 0.04


@dataclass(frozen=True)
class ActivityParams:
    """Background product usage."""

    events_per_day: dict = field(
        default_factory=lambda: {"smb": 5.0, "mid_market": 15.0, "enterprise": 40.0, "default": 15.0}
    )
    events_per_session: float = 8.0
    seconds_between_events: float = 45.0
    weekend_factor: float = 0.4
    activated_factor: float = 1.4
    stalled_half_life_days: float = 14.0
    stalled_floor: float = 0.1
    csm_outreach_daily: float = 0.05  # per stalled mid-market/enterprise account-day, after day 7


# Background event mix: (event name, share for an onboarding account, share for a stalled one).
EVENT_MIX = (
    ("page_viewed", 0.44, 0.36),
    ("workflow_run", 0.16, 0.10),
    ("workflow_created", 0.06, 0.04),
    ("report_exported", 0.06, 0.02),
    ("help_article_viewed", 0.07, 0.16),
    ("action_failed", 0.03, 0.12),
    ("support_ticket_opened", 0.01, 0.03),
    ("user_invited", 0.03, 0.01),
    ("integration_connected", 0.01, 0.01),
    ("dashboard_shared", 0.02, 0.01),
)
SESSION_START = "login"
HELP_TOPICS = (
    "getting_started",
    "integrations",
    "workflows",
    "team_management",
    "sso",
    "dashboards",
    "billing",
    "api",
)
FAILED_ACTIONS = (
    "create_workspace",
    "connect_integration",
    "run_workflow",
    "invite_user",
    "configure_sso",
    "share_dashboard",
    "export_report",
)
ERROR_CODES = ("E400", "E401", "E403", "E404", "E409", "E500", "E504")
# The help topic and failing action of an account stalled before a milestone on this event.
STALL_TOPIC = {
    "workspace_created": ("getting_started", "create_workspace"),
    "integration_connected": ("integrations", "connect_integration"),
    "workflow_run": ("workflows", "run_workflow"),
    "user_invited": ("team_management", "invite_user"),
    "sso_configured": ("sso", "configure_sso"),
    "dashboard_shared": ("dashboards", "share_dashboard"),
}
STALL_FOCUS = 0.7  # share of a stalled account's help views and failures on its stall topic
CSM_CHANNELS = ("email", "call", "in_app")
UNKNOWN_EVENT_NAMES = ("legacy_sync_v1", "trial_extended_old", "beta_feature_clicked")


@dataclass(frozen=True)
class RevenueParams:
    """Month by month subscription changes, by activation status at the anniversary."""

    churn_activated: float = 0.02
    churn_not_activated_early: float = 0.15  # months 1-3
    churn_not_activated: float = 0.06
    expansion_activated: float = 0.10
    expansion_not_activated: float = 0.01
    contraction_activated: float = 0.03
    contraction_not_activated: float = 0.06
    reactivation: float = 0.05  # per month, for six months after churn


@dataclass(frozen=True)
class ImperfectionParams:
    """Shares of event rows made imperfect (disjoint rows; zero with --clean)."""

    duplicate: float = 0.005
    late: float = 0.01
    unknown_event_name: float = 0.002
    missing_account_id: float = 0.001
    unknown_account: float = 0.0005
    invalid_occurred_at: float = 0.0005
    occurred_after_received: float = 0.0002
    invalid_properties: float = 0.0002
    before_signup_accounts: float = 0.03
    surveys_before_signup: int = 3

    @classmethod
    def none(cls) -> "ImperfectionParams":
        return cls(*(0 for _ in range(10)))


@dataclass(frozen=True)
class Params:
    """Everything one generation depends on."""

    accounts: int
    days: int
    seed: int
    start: str = "2026-01-01"
    activity: float = 1.0
    journey: JourneyParams = field(default_factory=JourneyParams)
    background: ActivityParams = field(default_factory=ActivityParams)
    revenue: RevenueParams = field(default_factory=RevenueParams)
    imperfections: ImperfectionParams = field(default_factory=ImperfectionParams)
