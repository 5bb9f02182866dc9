"""The generator's second profile, `community`: a landing zone shaped like a real history
nobody here wrote, a community's members and their posts over a decade, as a user brings
it (`onboarding sample community`; the SaaS profile is `onboarding sample generate`).

What makes it unlike the SaaS profile, on purpose (it is the own-data path's test case):
- one events file directly in `events/` (no `date=` folders), with an odd name;
- sparse events with long tails, and members who never post;
- automated events (badges, digest e-mails) beside the members' own actions;
- no subscriptions and no surveys; no segments (every account is `default`);
- a misnamed table folder (`users/`) that must not pass in silence;
- a row received in 1900 and one that does not parse, which must not move the partitions.

`write_community` writes the landing zone; `write_community_seeds` writes the seeds that
describe its events, as a user does before the first build (docs/own-data.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path

LAST_DAY = dt.date(2026, 3, 31)
MONTHS = 120  # of history by default: a decade
FIRST_SIGN_UP_TIME = dt.time(9, 30)  # of the first member, on the first day of the history
EVENTS_FILE = "events/export (1).csv"

TAXONOMY = [
    ("question_posted", "core_action", "A member asked a question"),
    ("answer_posted", "core_action", "A member answered a question"),
    ("comment_posted", "core_action", "A member commented on a post"),
    ("visit", "login", "A member opened the community while signed in"),
    ("tag_page_viewed", "navigation", "A member browsed a tag page"),
    ("badge_awarded", "system", "The community awarded a badge (automated)"),
    ("digest_email_sent", "system", "The weekly digest e-mail was sent (automated)"),
]
MILESTONES = [
    # segment,step_number,milestone_name,event_name,property_key,property_value,min_count,
    # expected_by_day,is_activation,is_first_value,expected_future
    "default,1,first_post,question_posted|answer_posted,,,1,7,false,true,",
    "default,2,first_comment,comment_posted,,,1,14,false,false,",
    "default,3,five_contributions,category:core_action,,,5,30,true,false,",
]


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def first_sign_up(last_day: dt.date = LAST_DAY, months: int = MONTHS) -> dt.datetime:
    """The first member's sign-up: on the first day of the month `months` before the last
    day's month."""
    index = last_day.year * 12 + last_day.month - 1 - months
    return dt.datetime.combine(dt.date(index // 12, index % 12 + 1, 1), FIRST_SIGN_UP_TIME)


def write_community(
    root: Path, members: int = 60, seed: int = 16, last_day: dt.date = LAST_DAY, months: int = MONTHS
) -> Path:
    """The landing zone under `root` (created; must not hold files), with sign-ups over the
    `months` before `last_day` and events up to it; deterministic for a seed; returns `root`."""
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty: the community sample is written into a new folder")
    rng = random.Random(seed)
    first = first_sign_up(last_day, months)
    # Sign-ups stop two months before the last day (each member has a start), or earlier.
    span = max(0, (dt.datetime.combine(last_day, dt.time()) - first).days - 60)
    (root / "accounts").mkdir(parents=True, exist_ok=True)
    (root / "events").mkdir(parents=True, exist_ok=True)
    (root / "users").mkdir(parents=True, exist_ok=True)
    accounts, events = [], []
    for number in range(members):
        account = f"member-{number:04d}"
        signed_up = first + dt.timedelta(days=rng.randint(0, span), minutes=rng.randint(0, 1440))
        if number == 0:
            signed_up = first
        accounts.append([account, f"Member {number}", _stamp(signed_up), "", "", "", "", "", ""])
        posts = 0 if rng.random() < 0.3 else int(rng.paretovariate(1.2))
        moment = signed_up
        for _ in range(posts):
            # Long tails: most posts come early, some years later.
            moment += dt.timedelta(hours=rng.expovariate(1 / 200))
            name = rng.choice(["question_posted", "answer_posted", "answer_posted", "comment_posted"])
            events.append([account, name, moment])
            if rng.random() < 0.5:
                events.append([account, "visit", moment - dt.timedelta(minutes=5)])
            if rng.random() < 0.3:
                events.append([account, "badge_awarded", moment + dt.timedelta(minutes=1)])
        for week in range(rng.randint(0, 6)):
            events.append([account, "digest_email_sent", signed_up + dt.timedelta(days=7 * (week + 1))])
        if rng.random() < 0.2:
            events.append([account, "tag_page_viewed", signed_up + dt.timedelta(hours=2)])
    events = [e for e in events if e[2].date() <= last_day]
    events.sort(key=lambda e: e[2])
    rows = []
    for index, (account, name, moment) in enumerate(events):
        received = moment + dt.timedelta(seconds=30)
        properties = json.dumps({"badge": "Teacher"}) if name == "badge_awarded" else ""
        rows.append(
            [f"ev-{index:06d}", account, f"{account}-u", name, _stamp(moment), _stamp(received), properties]
        )
    # Bad rows a real export has: they are quarantined and must not move the partitions.
    rows.append(["ev-bad-1900", "member-0000", "", "visit", "1900-01-01 00:00:00", "1900-01-01 00:00:00", ""])
    rows.append(["ev-bad-text", "member-0000", "", "visit", "yesterday", "yesterday", ""])
    header = ["event_id", "account_id", "user_id", "event_name", "occurred_at", "received_at", "properties"]
    _write_csv(root / EVENTS_FILE, header, rows)
    _write_csv(
        root / "accounts" / "members.csv",
        [
            "account_id",
            "account_name",
            "signed_up_at",
            "segment",
            "plan",
            "industry",
            "company_size",
            "acquisition_channel",
            "onboarding_variant",
        ],
        accounts,
    )
    _write_csv(root / "users" / "users.csv", ["user_id", "account_id"], [["member-0000-u", "member-0000"]])
    return root


def write_community_seeds(seeds: Path) -> None:
    """Replace the seeds in a project's `seeds` folder that name events and segments with
    ones describing the community's events (the taxonomy, milestones, segments, targets,
    funnels)."""
    _write_csv(seeds / "event_taxonomy.csv", ["event_name", "category", "description"], TAXONOMY)
    header = (seeds / "milestones.csv").read_text().splitlines()[0]
    (seeds / "milestones.csv").write_text("\n".join([header, *MILESTONES]) + "\n")
    (seeds / "segments.csv").write_text(
        "segment,activation_window_days,onboarding_period_days,description\n"
        "default,30,45,Every member: five contributions within a month\n"
    )
    (seeds / "metric_targets.csv").write_text(
        "metric_name,segment,target,description\n"
        "activation_rate,default,0.20,Members with five contributions within a month\n"
        "onboarding_completion_rate,default,0.10,Members who reach every milestone\n"
    )
    (seeds / "funnels.csv").write_text(
        "funnel_name,conversion_window_seconds,funnel_order_type\nask_then_answer,2592000,ordered\n"
    )
    (seeds / "funnel_exclusions.csv").write_text("funnel_name,event_name,from_step,to_step\n")
    # Without the expected_future column, as a file written before the column existed.
    (seeds / "funnel_steps.csv").write_text(
        "funnel_name,step_number,event_name,property_key,property_value\n"
        "ask_then_answer,1,question_posted,,\nask_then_answer,2,answer_posted|comment_posted,,\n"
    )


def _write_csv(path: Path, header: list[str], rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
