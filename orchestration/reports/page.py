"""How figures and changes are written, and the page around the reports: Jinja2 templates
(orchestration/reports/templates/, autoescape on) rendering one self-contained file
(inline CSS and SVG, no script, no external file). The formatters are the templates'
filters.

A change is written in the figure's own terms: rates and scores in points, durations in
days, counts and amounts in percent. A percent change on a base under MIN_SAMPLE (or a
change of a rate or score measured on fewer than MIN_SAMPLE accounts or responses) is not
a finding: it is written as the plain difference and marked as a small sample."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

# Changes on fewer accounts or responses than this are marked, never shown as a percent.
MIN_SAMPLE = 20
TEMPLATES = Path(__file__).parent / "templates"


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def days(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} d"


def number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def money(value: float | None) -> str:
    """An amount (MRR): written like a count, its change in percent with no sample rule."""
    return number(value)


def score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def nps(value: float | None) -> str:
    """Net promoter score, -100 to 100."""
    return "n/a" if value is None else f"{value:.0f}"


class Change(NamedTuple):
    text: str
    css: str


def change(current: float | None, previous: float | None, fmt, sample: int | None = None) -> Change:
    """The change against the previous period and its CSS class. sample: the accounts or
    responses behind the smaller of the two figures (counts are their own sample: the
    previous count is the base of their percent)."""
    if current is None or previous is None:
        return Change("n/a", "flat")
    current, previous = float(current), float(previous)
    delta = current - previous
    small = False
    if fmt in (number, money):
        base = previous if sample is None else sample
        if previous == 0:
            text = "new" if current else "±0"
        elif fmt is number and base < MIN_SAMPLE:
            text, small = f"{delta:+,.0f}", True
        else:
            text = f"{delta / abs(previous):+.0%}"
    else:
        if fmt is percent:
            text = f"{delta * 100:+.1f} pts"
        elif fmt is nps:
            text = f"{delta:+.0f} pts"
        elif fmt is days:
            text = f"{delta:+.1f} d"
        else:  # scores on a scale (1-5)
            text = f"{delta:+.2f} pts"
        small = sample is not None and sample < MIN_SAMPLE
    if small:
        shown = int(base if fmt is number else sample)
        text += f" (small sample: {shown} < {MIN_SAMPLE})"
    arrow = "▲" if delta > 0 else "▼" if delta < 0 else "■"
    css = "up" if delta > 0 else "down" if delta < 0 else "flat"
    return Change(f"{arrow} {text}", css + (" small-sample" if small else ""))


def of(value, base: int | None) -> str:
    """A rate with its denominator: '62.5% of 40'."""
    return percent(value) if base is None else f"{percent(value)} of {number(base)}"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(percent=percent, days=days, number=number, score=score, nps=nps, money=money, of=of)
    env.globals.update(change=change, MIN_SAMPLE=MIN_SAMPLE)
    return env


ENVIRONMENT = environment()
# The reports' style sheet (templates/report.css), also used by the account status pages.
CSS = (TEMPLATES / "report.css").read_text(encoding="utf-8")


def render(template: str, **context) -> str:
    return ENVIRONMENT.get_template(template).render(**context)
