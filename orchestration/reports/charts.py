"""Charts drawn by matplotlib (Agg, no pyplot state) as inline SVG strings: no script,
no external file, text kept as text (no font file to fetch), readable offline and
printable. The output is deterministic: a fixed hash salt for the SVG ids and no date.

Each artist carries a gid (chart-bar-N, chart-line-N, chart-funnel-N, chart-stack-N-M,
chart-path-L-R), so a test can see in the rendered page which charts were drawn."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import matplotlib

matplotlib.use("Agg")

from markupsafe import Markup  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

COLORS = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#6b7280"]
OTHER_COLOR = "#9ca3af"  # the "other" bucket of a path chart
ENDED_COLOR = "#d1d5db"  # paths that ended before the level
STALL_COLOR = "#dc2626"
WIDTH = 6.4  # inches; the page scales the SVG to its column
STYLE = {
    "svg.fonttype": "none",  # text as <text>, drawn with the reader's fonts: nothing embedded or fetched
    "svg.hashsalt": "onboarding-reports",  # stable ids: the same data gives the same file
    "font.size": 8,
    "font.family": "sans-serif",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#9ca3af",
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#e5e7eb",
    "legend.frameon": False,
}


def _floats(values: Sequence) -> list[float | None]:
    """Numbers of any kind (Decimal from SQL sums included) as floats; None stays None."""
    return [None if v is None else float(v) for v in values]


def _svg(figure: Figure, title: str, tight: bool = True) -> Markup:
    buffer = io.StringIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(
            buffer,
            format="svg",
            metadata={"Date": None, "Creator": None},
            bbox_inches="tight" if tight else None,
        )
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # no XML prolog or DOCTYPE inside HTML
    label = Markup.escape(title)
    return Markup(svg.replace("<svg ", f'<svg class="chart drawn" role="img" aria-label="{label}" ', 1))


def _figure(height: float) -> tuple[Figure, object]:
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, height))
        return figure, figure.add_subplot()


def _thin_labels(axes, labels: list[str]) -> None:
    """About 8 labelled ticks (the first, every n-th, the last): a tick per point would cost
    a drawn tick each, which is most of a chart's time over a 90-day history."""
    every = max(1, len(labels) // 8)
    kept = [i for i in range(len(labels)) if i % every == 0 or i == len(labels) - 1]
    axes.set_xticks(kept, [labels[i] for i in kept])


def bar_chart(title: str, labels: list[str], series: dict[str, Sequence], fmt: Callable = str) -> Markup:
    """Grouped vertical bars: one group per label, one bar per series (None = no bar)."""
    figure, axes = _figure(2.4)
    with matplotlib.rc_context(STYLE):
        width = 0.8 / max(1, len(series))
        for s, (name, values) in enumerate(series.items()):
            points = [(i, v) for i, v in enumerate(_floats(values)) if v is not None]
            bars = axes.bar(
                [i - 0.4 + width * (s + 0.5) for i, _ in points],
                [v for _, v in points],
                width=width,
                color=COLORS[s % len(COLORS)],
                label=name,
            )
            for i, bar in enumerate(bars):
                bar.set_gid(f"chart-bar-{s}-{i}")
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt(v)))
        axes.yaxis.set_major_locator(MaxNLocator(4))
        _thin_labels(axes, labels)
        axes.set_title(title)
        if len(series) > 1:
            axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=len(series))
    return _svg(figure, title)


def line_chart(
    title: str,
    labels: list[str],
    series: dict[str, Sequence],
    fmt: Callable = str,
    fixed_margins: bool = False,
) -> Markup:
    """One line per series over the labels (a gap where a value is None). `fixed_margins`
    (short y labels only, such as percentages and scores) skips fitting the bounding box,
    which draws the chart twice: for the hundreds of charts of the status pages."""
    figure, axes = _figure(2.4)
    if fixed_margins:
        figure.subplots_adjust(left=0.09, right=0.98, top=0.88, bottom=0.3)
    with matplotlib.rc_context(STYLE):
        for s, (name, values) in enumerate(series.items()):
            ys = [float("nan") if v is None else v for v in _floats(values)]
            (line,) = axes.plot(range(len(labels)), ys, marker="o", markersize=3, linewidth=1.8,
                                color=COLORS[s % len(COLORS)], label=name)  # fmt: skip
            line.set_gid(f"chart-line-{s}")
        axes.set_ylim(bottom=min(0, *[v for vs in series.values() for v in _floats(vs) if v is not None], 0))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt(v)))
        axes.yaxis.set_major_locator(MaxNLocator(4))
        _thin_labels(axes, labels)
        axes.set_title(title)
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=max(1, len(series)))
    return _svg(figure, title, tight=not fixed_margins)


def funnel_chart(title: str, steps: list[tuple[str, int]], highlight: str | None = None) -> Markup:
    """A drawn funnel: one centred bar per step, as wide as the accounts that reached it,
    labelled with the accounts and the drop-off from the step before (accounts and share);
    the highlighted step (where accounts stall most) in red."""
    counts = [float(count or 0) for _, count in steps]
    widest = max(counts, default=0) or 1
    figure, axes = _figure(0.45 * len(steps) + 0.6)
    with matplotlib.rc_context(STYLE):
        bars = axes.barh(
            range(len(steps)),
            counts,
            left=[(widest - c) / 2 for c in counts],
            height=0.72,
            color=[STALL_COLOR if name == highlight else COLORS[0] for name, _ in steps],
        )
        for i, bar in enumerate(bars):
            bar.set_gid(f"chart-funnel-{i}")
        for i, value in enumerate(counts):
            label = f"{int(value):,}"
            if i > 0 and counts[i - 1]:
                dropped = counts[i - 1] - value
                label += f"   drop-off {int(dropped):,} ({dropped / counts[i - 1]:.0%})"
            axes.text(widest * 1.02, i, label, va="center", ha="left")
        axes.set_yticks(range(len(steps)), [name for name, _ in steps])
        axes.invert_yaxis()
        axes.set_xlim(0, widest * 1.6)
        axes.set_xticks([])
        axes.grid(False)
        for side in ("left", "bottom"):
            axes.spines[side].set_visible(False)
        axes.tick_params(axis="y", length=0)
        axes.set_title(title)
    return _svg(figure, title)


def stacked_share_chart(title: str, labels: list[str], series: dict[str, Sequence]) -> Markup:
    """100% stacked bars: one bar per label, each series' share of the label's total
    (series in the given order, bottom up; a label with no total gets no bar)."""
    values = {name: _floats(v) for name, v in series.items()}
    totals = [sum(v[i] or 0 for v in values.values()) for i in range(len(labels))]
    figure, axes = _figure(2.8)
    with matplotlib.rc_context(STYLE):
        bottom = [0.0] * len(labels)
        for s, (name, counts) in enumerate(values.items()):
            shares = [(c or 0) / t if t else 0 for c, t in zip(counts, totals, strict=True)]
            bars = axes.bar(range(len(labels)), shares, bottom=bottom, width=0.8,
                            color=COLORS[s % len(COLORS)], label=name)  # fmt: skip
            for i, bar in enumerate(bars):
                bar.set_gid(f"chart-stack-{s}-{i}")
            bottom = [b + v for b, v in zip(bottom, shares, strict=True)]
        axes.set_ylim(0, 1)
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
        axes.yaxis.set_major_locator(MaxNLocator(4))
        _thin_labels(axes, labels)
        axes.set_title(title)
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=min(4, max(1, len(series))))
    return _svg(figure, title)


def path_chart(title: str, levels: list[tuple[int, list[tuple[str, float, int]]]]) -> Markup:
    """Paths by level: per level, one horizontal bar per path (text, share, accounts) in the
    given order, as long as its share of the accounts with the starting point, labelled with
    the share, the accounts and the path; "other" and "(ended)" in greys. Bar gids:
    chart-path-<level>-<row in the level>."""
    rows: list[tuple[int, int, str, float, int]] = []
    positions: list[float] = []
    centres: list[tuple[float, str]] = []
    y = 0.0
    for level, paths in levels:
        first = y
        for r, (path, share, accounts) in enumerate(paths):
            rows.append((level, r, path, float(share or 0), int(accounts)))
            positions.append(y)
            y += 1
        centres.append(((first + y - 1) / 2, f"{level} step{'s' if level > 1 else ''}"))
        y += 0.7  # a gap between levels
    figure, axes = _figure(0.19 * len(rows) + 0.13 * len(levels) + 0.6)
    with matplotlib.rc_context(STYLE):
        colors = [OTHER_COLOR if p == "other" else ENDED_COLOR if p == "(ended)" else COLORS[0]
                  for _, _, p, _, _ in rows]  # fmt: skip
        bars = axes.barh(positions, [share for *_, share, _ in rows], height=0.8, color=colors)
        for bar, (level, r, path, share, accounts) in zip(bars, rows, strict=True):
            bar.set_gid(f"chart-path-{level}-{r}")
            label = f"{share:.0%} ({accounts:,})   {path}"
            middle = bar.get_y() + bar.get_height() / 2
            axes.text(share + 0.02, middle, label, va="center", ha="left", fontsize=7)
        axes.set_yticks([c for c, _ in centres], [label for _, label in centres])
        axes.invert_yaxis()
        axes.set_xlim(0, 2.6)  # room for the labels right of the bars
        axes.set_xticks([0, 0.5, 1])
        axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
        axes.grid(False)
        axes.spines["bottom"].set_bounds(0, 1)
        axes.tick_params(axis="y", length=0)
        axes.set_title(title)
    return _svg(figure, title)
