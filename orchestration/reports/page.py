"""The HTML around the reports: one self-contained page (inline CSS and SVG, no script,
no external file), tables, and how figures and changes are written."""

from __future__ import annotations

from html import escape

CSS = """
body { font: 14px/1.45 -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #111827;
       max-width: 1000px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 28px;
     border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; } h3 { font-size: 15px; }
.meta { color: #6b7280; } table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 4px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; } th { background: #f9fafb; }
.up { color: #15803d; } .down { color: #b91c1c; } .flat { color: #6b7280; }
.unavailable { color: #92400e; background: #fffbeb; border: 1px solid #fcd34d; padding: 8px 12px; }
.chart { display: block; margin: 8px 0 16px; max-width: 100%; height: auto; }
.chart text { font-size: 11px; fill: #374151; } .chart .chart-title { font-size: 13px; font-weight: 600; }
.chart .grid { stroke: #e5e7eb; } ul.actions li { margin-bottom: 6px; }
@media print { body { margin: 0; } h2 { break-after: avoid; } .chart { break-inside: avoid; } }
"""


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def days(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} d"


def number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def change(current: float | None, previous: float | None, fmt) -> tuple[str, str]:
    """The change against the previous period and its CSS class: points for rates,
    percent for counts and amounts."""
    if current is None or previous is None:
        return "n/a", "flat"
    if fmt is percent:
        delta = (current - previous) * 100
        text = f"{delta:+.1f} pts"
    elif previous == 0:
        delta = current
        text = "new" if current else "±0"
    else:
        delta = (current - previous) / abs(previous)
        text = f"{delta:+.0%}"
    arrow = "▲" if delta > 0 else "▼" if delta < 0 else "■"
    return f"{arrow} {text}", "up" if delta > 0 else "down" if delta < 0 else "flat"


def table(headers: list[str], rows: list[list[str]], raw_html: bool = False) -> str:
    def cell(tag: str, value: str) -> str:
        return f"<{tag}>{value if raw_html else escape(str(value))}</{tag}>"

    head = "".join(cell("th", h) for h in headers)
    body = "".join("<tr>" + "".join(cell("td", v) for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def section(section_id: str, title: str, content: str) -> str:
    return f'<section id="{section_id}"><h2>{escape(title)}</h2>{content}</section>'


def page(title: str, subtitle: str, sections: list[str]) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f'<header><h1>{escape(title)}</h1><p class="meta">{escape(subtitle)}</p></header>'
        + "".join(sections)
        + "</body></html>"
    )
