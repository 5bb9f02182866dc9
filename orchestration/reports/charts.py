"""Charts as inline SVG: no script, no external file, readable offline and printable.

Pure functions from numbers to an `<svg>` string."""

from __future__ import annotations

from html import escape

COLORS = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2"]
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 44


def _floats(series: dict[str, list]) -> dict[str, list[float | None]]:
    """Numbers of any kind (Decimal from SQL sums included) as floats; None stays None."""
    return {name: [None if v is None else float(v) for v in values] for name, values in series.items()}


def _svg(title: str, body: list[str], height: int = HEIGHT) -> str:
    return (
        f'<svg class="chart" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">'
        f"<title>{escape(title)}</title>"
        f'<text x="{LEFT}" y="16" class="chart-title">{escape(title)}</text>' + "".join(body) + "</svg>"
    )


def _axis(maximum: float, fmt, height: int = HEIGHT) -> list[str]:
    """Horizontal grid lines at 0, 1/2 and the maximum, labelled."""
    lines = []
    for share in (0, 0.5, 1):
        y = height - BOTTOM - share * (height - TOP - BOTTOM)
        lines.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        lines.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(fmt(maximum * share))}</text>'
        )
    return lines


def _x_labels(labels: list[str], step: float, height: int = HEIGHT) -> list[str]:
    every = max(1, len(labels) // 8)  # at most about 8 labels
    return [
        f'<text x="{LEFT + step * (i + 0.5):.1f}" y="{height - BOTTOM + 16}" text-anchor="middle">'
        f"{escape(label)}</text>"
        for i, label in enumerate(labels)
        if i % every == 0 or i == len(labels) - 1
    ]


def _legend(names: list[str], height: int = HEIGHT) -> list[str]:
    items = []
    for i, name in enumerate(names):
        x = LEFT + i * 150
        items.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{COLORS[i % len(COLORS)]}"/>'
        )
        items.append(f'<text x="{x + 14}" y="{height - 5}">{escape(name)}</text>')
    return items


def bar_chart(title: str, labels: list[str], series: dict[str, list[float | None]], fmt=str) -> str:
    """Grouped vertical bars: one group per label, one bar per series (None = no bar)."""
    series = _floats(series)
    values = [v for vs in series.values() for v in vs if v is not None]
    maximum = max(values, default=0) or 1
    step = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    width = min(48.0, step * 0.8 / max(1, len(series)))
    body = _axis(maximum, fmt)
    for s, (name, vs) in enumerate(series.items()):
        for i, value in enumerate(vs):
            if value is None:
                continue
            h = value / maximum * (HEIGHT - TOP - BOTTOM)
            x = LEFT + step * i + step * 0.1 + width * s
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{HEIGHT - BOTTOM - h:.1f}" width="{width:.1f}" '
                f'height="{h:.1f}" fill="{COLORS[s % len(COLORS)]}"><title>{escape(name)} '
                f"{escape(labels[i])}: {escape(fmt(value))}</title></rect>"
            )
    return _svg(title, body + _x_labels(labels, step) + _legend(list(series)))


def line_chart(title: str, labels: list[str], series: dict[str, list[float | None]], fmt=str) -> str:
    """One line per series over the labels (no point where a value is None)."""
    series = _floats(series)
    values = [v for vs in series.values() for v in vs if v is not None]
    maximum = max(values, default=0) or 1
    step = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    body = _axis(maximum, fmt)

    def y(value: float) -> float:
        return HEIGHT - BOTTOM - value / maximum * (HEIGHT - TOP - BOTTOM)

    for s, (name, vs) in enumerate(series.items()):
        color = COLORS[s % len(COLORS)]
        points = [(LEFT + step * (i + 0.5), y(v), v, labels[i]) for i, v in enumerate(vs) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in points)
            body.append(
                f'<polyline class="line" points="{path}" fill="none" stroke="{color}" stroke-width="2"/>'
            )
        body += [
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}">'
            f"<title>{escape(name)} {escape(label)}: {escape(fmt(v))}</title></circle>"
            for px, py, v, label in points
        ]
    return _svg(title, body + _x_labels(labels, step) + _legend(list(series)))


def funnel_chart(title: str, steps: list[tuple[str, int, float | None]], highlight: str | None = None) -> str:
    """Horizontal bars, one per step: accounts reached and the conversion from the step
    before; the highlighted step (where accounts stall most) in red."""
    row = 26
    height = TOP + row * len(steps) + 12
    label_width = 190
    maximum = max((count for _, count, _ in steps), default=0) or 1
    body = []
    for i, (name, count, conversion) in enumerate(steps):
        y = TOP + i * row
        w = count / maximum * (WIDTH - label_width - 200)
        color = "#dc2626" if name == highlight else COLORS[0]
        note = "" if conversion is None else f" ({conversion:.0%} of the step before)"
        body.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{escape(name)}</text>'
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" '
            f'fill="{color}"/>'
            f'<text x="{label_width + w + 6:.1f}" y="{y + 15}">{count}{escape(note)}</text>'
        )
    return _svg(title, body, height)
