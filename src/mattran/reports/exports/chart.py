"""The figures-by-child-unit chart for documents (matplotlib; the web page uses Chart.js)."""

from __future__ import annotations

import io
from functools import lru_cache

# matplotlib's object API, not pyplot: pyplot keeps its figures in one global
# registry that is not thread-safe, and web workers run threads (gthread, issue 16).
# A Figure of its own draws with the Agg canvas and needs no display.
from matplotlib.figure import Figure

from ..narrative import strip_kind
from ..selectors import Report

COLORS = ["#b3261e", "#1e5bb3", "#2e7d32", "#ef8f00", "#6a1b9a", "#00838f"]


def chart_png(report: Report, *, width_in: float = 6.3, dpi: int = 150) -> bytes | None:
    """Grouped horizontal bars, one group per child unit; None when there is nothing to draw."""
    rows = report.child_rows
    figures = [f for f in report.chart_figures if f.available and not f.is_new]
    if not rows or not figures:
        return None
    labels = tuple(strip_kind(r.unit.name, r.unit.kind) for r in rows)
    series = tuple(
        (f.indicator.label, tuple(f.cell(0, r.bucket) or 0 for r in rows)) for f in figures
    )
    title = f"{report.unit_name} – {report.period.label}"
    return _draw(labels, series, title, width_in, dpi)


# Drawing is most of a report document's cost (~0.3 s), and the same picture is asked
# for again and again (every download of a report whose figures have not changed, with
# another date or text). The key is everything the picture is drawn from, so a cached
# PNG is always the one that would be drawn; ~60 KB each.
@lru_cache(maxsize=64)
def _draw(
    labels: tuple[str, ...],
    series: tuple[tuple[str, tuple], ...],
    title: str,
    width_in: float,
    dpi: int,
) -> bytes:
    n = len(series)
    bar = 0.8 / n
    fig = Figure(figsize=(width_in, 3.9), dpi=dpi)
    ax = fig.subplots()
    for i, (label, values) in enumerate(series):
        positions = [x + (i - (n - 1) / 2) * bar for x in range(len(labels))]
        ax.bar(positions, values, width=bar, label=label, color=COLORS[i % 6])
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, fontsize=7, rotation=60, ha="right")
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="y", linestyle=":", alpha=0.6)
    ax.set_axisbelow(True)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="upper left", ncols=min(n, 4), frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
