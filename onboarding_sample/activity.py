"""One day of product usage, for every live account at once: sessions that start
with a login, then events drawn from a mix that depends on the account's state,
plus the planted milestone events of the day and CSM outreach."""

from dataclasses import dataclass

import numpy as np

from onboarding_sample import config as cfg
from onboarding_sample.journeys import ABANDONED, LATE, STALLED
from onboarding_sample.world import World, is_active

NO_USER = -1
NO_PROPERTIES = -1
QUALIFYING_SHARE = 0.85  # background runs of an action that may qualify: share that succeed


@dataclass
class DayEvents:
    """Events that occurred on one day, sorted by time."""

    account: np.ndarray
    user: np.ndarray  # global user index, NO_USER for system events
    event: np.ndarray
    time: np.ndarray
    prop: np.ndarray  # property text code, NO_PROPERTIES for null
    planted: np.ndarray  # milestone (or before-sign-up) events: never made imperfect

    def __len__(self) -> int:
        return len(self.time)


def daily_rates(world: World, day: int):
    """Live accounts on the day, their expected event count, and their state."""
    acc, journeys, params = world.accounts, world.journeys, world.params.background
    start = world.day_start(day)
    end = start + cfg.DAY_MS
    live = (
        (acc.signup_ms < end)
        & (journeys.outcome != ABANDONED)
        & ((start < world.subscriptions.first_churn_ms) | (end > world.subscriptions.reactivated_ms))
    )
    rows = np.flatnonzero(live)
    since = np.maximum(start, acc.signup_ms[rows])
    weekday = (start // cfg.DAY_MS + 3) % 7
    base = np.array(
        [params.events_per_day.get(c, params.events_per_day["default"]) for c in world.config_names]
    )[world.config_index[rows]]
    base *= world.params.activity * (params.weekend_factor if weekday >= 5 else 1.0)
    activated = world.activation_ms[rows] <= start
    outcome = journeys.outcome[rows]
    struggling = ~activated & ((outcome == STALLED) | (outcome == LATE))
    age_days = np.maximum(start - acc.signup_ms[rows], 0) / cfg.DAY_MS
    decay = np.maximum(params.stalled_floor, 0.5 ** (age_days / params.stalled_half_life_days))
    factor = np.where(activated, params.activated_factor, np.where(struggling, decay, 1.0))
    return rows, base * factor * (end - since) / cfg.DAY_MS, since, struggling, age_days


class _DayBuilder:
    def __init__(self, world: World, day: int):
        self.world, self.day = world, day
        self.rng = np.random.default_rng(np.random.SeedSequence([world.params.seed, 1, day]))
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, account, user, event, time, prop, planted):
        self.parts.append(
            (account, user, event.astype(np.int32), time, prop.astype(np.int32), np.full(len(time), planted))
        )

    def sessions(self) -> None:
        world, rng = self.world, self.rng
        params = world.params.background
        rows, rate, since, struggling, _ = daily_rates(world, self.day)
        count = rng.poisson(rate / params.events_per_session)
        s_row = np.repeat(np.arange(len(rows)), count)
        account = rows[s_row]
        day_end = world.day_start(self.day) + cfg.DAY_MS
        start = since[s_row] + (rng.random(len(s_row)) * (day_end - since[s_row])).astype(np.int64)
        user = world.accounts.user_offset[account] + (
            rng.random(len(s_row)) * world.accounts.users[account]
        ).astype(np.int64)
        length = rng.geometric(1.0 / params.events_per_session, len(s_row))
        session = np.repeat(np.arange(len(s_row)), length)
        first = np.cumsum(length) - length
        gaps = rng.exponential(params.seconds_between_events * 1000.0, len(session))
        gaps[first] = 0.0
        elapsed = np.cumsum(gaps)
        time = start[session] + (elapsed - elapsed[first][session]).astype(np.int64)
        events = self._event_mix(struggling[s_row][session], first, len(session))
        props = np.full(len(session), NO_PROPERTIES, dtype=np.int32)
        ev_account = account[session]
        events, props = self._properties(events, props, ev_account, time, struggling[s_row][session])
        self.add(ev_account, user[session], events, time, props, False)

    def _event_mix(self, struggling: np.ndarray, first: np.ndarray, n: int) -> np.ndarray:
        code = self.world.vocab.event_code
        names = [name for name, _, _ in cfg.EVENT_MIX]
        normal = np.cumsum([p for _, p, _ in cfg.EVENT_MIX])
        stalled = np.cumsum([p for _, _, p in cfg.EVENT_MIX])
        u = self.rng.random(n)
        pick = np.where(
            struggling, np.searchsorted(stalled / stalled[-1], u), np.searchsorted(normal / normal[-1], u)
        )
        events = np.array([code[name] for name in names], dtype=np.int32)[np.minimum(pick, len(names) - 1)]
        events[first] = code[cfg.SESSION_START]
        return events

    def _properties(self, events, props, account, time, struggling):
        world, rng, vocab = self.world, self.rng, self.world.vocab
        code = vocab.event_code
        stall_topic, stall_action = _stall_focus(world)
        for name, _, _ in cfg.EVENT_MIX:
            e = code[name]
            sel = np.flatnonzero(events == e)
            if len(sel) == 0:
                continue
            if name == "help_article_viewed":
                props[sel] = _focused(
                    rng, vocab, "help", cfg.HELP_TOPICS, stall_topic[account[sel]], struggling[sel]
                )
            elif name == "action_failed":
                props[sel] = _focused(
                    rng, vocab, "failed", cfg.FAILED_ACTIONS, stall_action[account[sel]], struggling[sel]
                )
            elif name == "support_ticket_opened":
                props[sel] = _focused(
                    rng, vocab, "ticket", cfg.HELP_TOPICS, stall_topic[account[sel]], struggling[sel]
                )
            else:
                self._family_properties(e, name, sel, events, props, account, time)
        return events, props

    def _family_properties(self, e, name, sel, events, props, account, time):
        """Background use of a milestone's action never qualifies before the account has
        reached the last milestone counting it; unfiltered actions become page views."""
        world, rng, vocab = self.world, self.rng, self.world.vocab
        default = "workflow_run:success" if name == "workflow_run" else name
        props[sel] = vocab.pick(rng, default, len(sel))
        if name == "workflow_run":
            failed = sel[rng.random(len(sel)) >= QUALIFYING_SHARE]
            props[failed] = vocab.pick(rng, "workflow_run:failed", len(failed))
        families = world.families.get(e, {})
        for config_name, (key, value) in families.items():
            mine = sel[world.config_index[account[sel]] == world.config_names.index(config_name)]
            is_open = time[mine] >= world.planted.open_at[e][account[mine]]
            if key is None:
                closed = mine[~is_open]
                events[closed] = vocab.event_code["page_viewed"]
                props[closed] = vocab.pick(rng, "page_viewed", len(closed))
            else:
                qualifies = is_open & (rng.random(len(mine)) < QUALIFYING_SHARE)
                for flag in (True, False):
                    rows = mine[qualifies == flag]
                    props[rows] = vocab.pick(rng, vocab.milestone_group(name, key, value, flag), len(rows))

    def outreach(self) -> None:
        world, rng = self.world, self.rng
        rows, _, since, struggling, age = daily_rates(world, self.day)
        managed = np.isin(world.accounts.config[rows], ("mid_market", "enterprise"))
        day_end = world.day_start(self.day) + cfg.DAY_MS
        reach = rows[
            managed
            & struggling
            & (age >= 7)
            & (rng.random(len(rows)) < world.params.background.csm_outreach_daily)
        ]
        # An account with a planted outreach (onboarding_sample/outreach.py) hears from
        # its CSM only then, after its alert: the day's background contact must end before.
        reach = reach[day_end <= world.outreach.quiet_from_ms[reach]]
        low = np.maximum(world.day_start(self.day), world.accounts.signup_ms[reach])
        time = low + (rng.random(len(reach)) * (day_end - low)).astype(np.int64)
        event = np.full(len(reach), world.vocab.event_code["csm_outreach"])
        self.add(
            reach,
            np.full(len(reach), NO_USER),
            event,
            time,
            world.vocab.pick(rng, "csm_outreach", len(reach)),
            False,
        )

    def planted_events(self) -> None:
        world, rng = self.world, self.rng
        p = world.planted
        part = p.between(world.day_start(self.day), world.day_start(self.day) + cfg.DAY_MS)
        account = p.account[part]
        admin = np.isin(
            p.event[part], [world.vocab.event_code[e] for e in ("workspace_created", "sso_configured")]
        )
        user = world.accounts.user_offset[account] + np.where(
            admin, 0, (rng.random(len(account)) * world.accounts.users[account]).astype(np.int64)
        )
        self.parts.append(
            (account, user, p.event[part], p.time[part], p.prop[part], np.ones(len(account), bool))
        )

    def build(self) -> DayEvents:
        account, user, event, time, prop, planted = (np.concatenate(c) for c in zip(*self.parts, strict=True))
        keep = (time < self.world.end_ms) & (planted | is_active(self.world, account, time))
        order = np.argsort(time[keep], kind="stable")
        return DayEvents(*(column[keep][order] for column in (account, user, event, time, prop, planted)))


def _stall_focus(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Per account, the index of the help topic and failing action of the step it stalls at."""
    cached = getattr(world, "_stall_focus", None)
    if cached is None:
        topic = np.full(len(world.accounts), -1)
        action = np.full(len(world.accounts), -1)
        for event, (t, a) in cfg.STALL_TOPIC.items():
            rows = world.journeys.stall_event == event
            topic[rows] = cfg.HELP_TOPICS.index(t)
            action[rows] = cfg.FAILED_ACTIONS.index(a)
        cached = (topic, action)
        world._stall_focus = cached
    return cached


def _focused(rng, vocab, prefix: str, choices: tuple, focus: np.ndarray, struggling: np.ndarray):
    """Property codes for topic-like events: struggling accounts mostly hit their own topic."""
    pick = rng.integers(0, len(choices), len(focus))
    on_focus = struggling & (focus >= 0) & (rng.random(len(focus)) < cfg.STALL_FOCUS)
    pick = np.where(on_focus, focus, pick)
    starts = np.array([vocab.groups[f"{prefix}:{c}"][0] for c in choices])
    sizes = np.array([len(vocab.groups[f"{prefix}:{c}"]) for c in choices])
    return starts[pick] + (rng.random(len(pick)) * sizes[pick]).astype(np.int32)


def day_events(world: World, day: int) -> DayEvents:
    builder = _DayBuilder(world, day)
    builder.sessions()
    builder.outreach()
    builder.planted_events()
    return builder.build()
