"""Everything planned before any event is written: accounts, journeys, revenue,
planted events. Built once; the per-day workers only read it."""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from onboarding_sample import config as cfg
from onboarding_sample.accounts import Accounts, plan_accounts
from onboarding_sample.journeys import MIN_GAP_MS, NEVER, Journeys, plan_journeys
from onboarding_sample.outreach import Outreach, plan_outreach
from onboarding_sample.planted import Planted, plan_planted
from onboarding_sample.revenue import Subscriptions, plan_subscriptions
from onboarding_sample.risks import RiskPatterns, plan_risks
from onboarding_sample.seeds import SegmentConfig
from onboarding_sample.vocab import Vocabulary


@dataclass
class World:
    params: cfg.Params
    configs: dict[str, SegmentConfig]
    vocab: Vocabulary
    start_ms: int
    end_ms: int
    accounts: Accounts
    journeys: Journeys
    subscriptions: Subscriptions
    planted: Planted
    risks: RiskPatterns
    outreach: Outreach
    activation_ms: np.ndarray
    first_value_ms: np.ndarray
    config_index: np.ndarray  # per account, position of its config in `config_names`
    config_names: list[str]
    # event code -> config name -> (property_key, property_value) of its milestone family
    families: dict[int, dict[str, tuple[str | None, str | None]]]

    def __post_init__(self):
        # Text columns are built by `take` on these.
        self.account_text = pa.array(self.accounts.ids, pa.string())
        self.event_name_text = pa.array(self.vocab.event_names, pa.string())
        self.property_text = pa.array(self.vocab.properties, pa.string())

    @property
    def days(self) -> int:
        return self.params.days

    def day_start(self, day: int) -> int:
        return self.start_ms + day * cfg.DAY_MS


def epoch_ms(date: str) -> int:
    moment = dt.datetime.fromisoformat(date).replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def build_world(params: cfg.Params, configs: dict[str, SegmentConfig], overdue_threshold: int = 3) -> World:
    rng = np.random.default_rng(np.random.SeedSequence([params.seed, 0]))
    start_ms = epoch_ms(params.start)
    end_ms = start_ms + params.days * cfg.DAY_MS
    vocab = Vocabulary(configs)
    accounts = plan_accounts(rng, params.accounts, start_ms, params.days, set(configs))
    journeys = plan_journeys(rng, accounts, configs, params.journey, end_ms)
    # CSM outreach after the milestone_overdue alert rescues some accounts (its own random
    # stream: the draws above and below do not move).
    outreach = plan_outreach(params.seed, accounts, journeys, configs, overdue_threshold, end_ms)
    activation = journeys.milestone_time(configs, "activation", len(accounts))
    subscriptions = plan_subscriptions(rng, accounts, activation, params.revenue, end_ms)
    # An account that churns stops using the product: what it had not reached, it never does.
    stop = np.minimum(subscriptions.first_churn_ms, end_ms - MIN_GAP_MS)
    journeys.cut(stop)
    risks, risk_events = plan_risks(params.seed, accounts, journeys, configs, vocab, stop, end_ms)
    planted = plan_planted(
        rng,
        accounts,
        journeys,
        configs,
        vocab,
        stop,
        params.imperfections.before_signup_accounts,
        start_ms,
        [*risk_events, *outreach.events(vocab, np.random.default_rng([params.seed, 5]))],
    )
    names = list(configs)
    families: dict[int, dict] = {}
    for name, config in configs.items():
        for m in config.milestones:
            families.setdefault(vocab.event_code[m.event_name], {})[name] = (m.property_key, m.property_value)
    return World(
        params=params,
        configs=configs,
        vocab=vocab,
        start_ms=start_ms,
        end_ms=end_ms,
        accounts=accounts,
        journeys=journeys,
        subscriptions=subscriptions,
        planted=planted,
        risks=risks,
        outreach=outreach,
        activation_ms=journeys.milestone_time(configs, "activation", len(accounts)),
        first_value_ms=journeys.milestone_time(configs, "first_value", len(accounts)),
        config_index=np.array([names.index(c) for c in accounts.config], dtype=np.int8),
        config_names=names,
        families=families,
    )


def is_active(world: World, account: np.ndarray, time: np.ndarray) -> np.ndarray:
    """The account uses the product at that time: its subscription is live (before churn, or
    after coming back) and it is not in a planted silence (onboarding_sample/risks.py)."""
    subs = world.subscriptions
    live = (time < subs.first_churn_ms[account]) | (time >= subs.reactivated_ms[account])
    return live & ~world.risks.is_silent(account, time)


__all__ = ["NEVER", "World", "build_world", "epoch_ms", "is_active"]
