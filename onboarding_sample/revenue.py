"""Subscriptions: periods of MRR and seats, changing month by month with
probabilities that depend on whether the account has activated."""

from dataclasses import dataclass

import numpy as np

from onboarding_sample import config as cfg
from onboarding_sample.accounts import Accounts
from onboarding_sample.journeys import NEVER

MONTH_MS = 30 * cfg.DAY_MS


@dataclass
class Subscriptions:
    account: np.ndarray  # account index of each period
    period_start: np.ndarray
    period_end: np.ndarray  # NEVER = ongoing
    mrr: np.ndarray
    seats: np.ndarray
    plan: np.ndarray
    first_churn_ms: np.ndarray  # per account, NEVER if it never churned
    reactivated_ms: np.ndarray  # per account, NEVER if it never came back

    def churned_at_end(self) -> np.ndarray:
        """Per account, when it churned if it is churned at the end of the data."""
        return np.where(self.reactivated_ms == NEVER, self.first_churn_ms, NEVER)


def plan_subscriptions(
    rng, accounts: Accounts, activation_ms: np.ndarray, params: cfg.RevenueParams, end_ms: int
) -> Subscriptions:
    n = len(accounts)
    price = np.array([cfg.SEAT_PRICE[p] for p in accounts.plan])
    low = np.array([cfg.SEATS[p][0] for p in accounts.plan])
    high = np.array([cfg.SEATS[p][1] for p in accounts.plan])
    first_seats = rng.integers(low, high + 1)
    seats = first_seats.copy()
    start = accounts.signup_ms.copy()
    active = np.ones(n, dtype=bool)
    first_churn = np.full(n, NEVER, dtype=np.int64)
    reactivated = np.full(n, NEVER, dtype=np.int64)
    closed: list[tuple[np.ndarray, ...]] = []

    def close(rows, at):
        closed.append((rows, start[rows], at[rows], seats[rows] * price[rows], seats[rows]))

    months = (end_ms - accounts.signup_ms.min()) // MONTH_MS + 1
    for month in range(1, int(months) + 1):
        at = accounts.signup_ms + month * MONTH_MS
        due = at < end_ms
        activated = activation_ms <= at
        u_churn, u_expand, u_contract, u_back = rng.random((4, n))
        p_churn = np.where(
            activated,
            params.churn_activated,
            np.where(month <= 3, params.churn_not_activated_early, params.churn_not_activated),
        )
        live = active & due
        # After coming back, an account does not churn again (one churn at most).
        churn = live & (first_churn == NEVER) & (u_churn < p_churn)
        expand = (
            live
            & ~churn
            & (u_expand < np.where(activated, params.expansion_activated, params.expansion_not_activated))
        )
        contract = (
            live
            & ~churn
            & ~expand
            & (seats > 1)
            & (
                u_contract
                < np.where(activated, params.contraction_activated, params.contraction_not_activated)
            )
        )
        changed = np.flatnonzero(churn | expand | contract)
        close(changed, at)
        seats = np.where(expand, np.ceil(seats * rng.uniform(1.1, 1.5, n)), seats).astype(np.int64)
        seats = np.where(contract, np.maximum(1, np.floor(seats * rng.uniform(0.6, 0.9, n))), seats).astype(
            np.int64
        )
        start = np.where(expand | contract, at, start)
        active &= ~churn
        first_churn = np.where(churn, at, first_churn)
        back = (
            ~active
            & due
            & (first_churn < at)
            & (reactivated == NEVER)
            & (at - first_churn <= 6 * MONTH_MS)
            & (u_back < params.reactivation)
        )
        active |= back
        reactivated = np.where(back, at, reactivated)
        start = np.where(back, at, start)
        seats = np.where(back, first_seats, seats)
    ongoing = np.flatnonzero(active)
    closed.append(
        (
            ongoing,
            start[ongoing],
            np.full(len(ongoing), NEVER, dtype=np.int64),
            seats[ongoing] * price[ongoing],
            seats[ongoing],
        )
    )
    rows, starts, ends, mrr, period_seats = (np.concatenate(parts) for parts in zip(*closed, strict=True))
    order = np.lexsort((starts, rows))
    return Subscriptions(
        account=rows[order],
        period_start=starts[order],
        period_end=ends[order],
        mrr=mrr[order].astype(float),
        seats=period_seats[order],
        plan=accounts.plan[rows[order]],
        first_churn_ms=first_churn,
        reactivated_ms=reactivated,
    )
