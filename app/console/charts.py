"""Charts drawn on the server as SVG: no script, nothing loaded from anywhere.

Colours are presentation attributes (`fill=`), never `style=`, so the strict CSP allows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from markupsafe import Markup, escape

__all__ = ["PALETTE", "stacked_bars"]

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#7f7f7f")
OTHER = "Khác"


def stacked_bars(
    per_day: Mapping[dt.date, Mapping[str, int]],
    names: Mapping[str, str],
    *,
    width: int = 720,
    height: int = 240,
    series: int = 6,
) -> Markup:
    """Tips per day, stacked by tactic (the `series` most frequent; the rest as "Khác")."""
    totals: dict[str, int] = {}
    for counts in per_day.values():
        for tactic, n in counts.items():
            totals[tactic] = totals.get(tactic, 0) + n
    ranked = [t for t, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])) if t][:series]
    keys = [*ranked, OTHER]
    colour = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}
    days = sorted(per_day)
    left, bottom, top = 36, 22, 8
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max((sum(c.values()) for c in per_day.values()), default=0) or 1
    step = plot_w / max(len(days), 1)
    bar_w = max(step * 0.8, 1.0)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Số tố giác mỗi ngày theo thủ đoạn" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, day in enumerate(days):
        x = left + i * step + (step - bar_w) / 2
        y = float(top + plot_h)
        counts = per_day[day]
        stacks: dict[str, int] = {}
        for tactic, n in counts.items():
            key = tactic if tactic in colour and tactic != OTHER else OTHER
            stacks[key] = stacks.get(key, 0) + n
        for key in keys:
            n = stacks.get(key, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            label = escape(f"{day:%d/%m}: {names.get(key, key) if key != OTHER else OTHER} — {n}")
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colour[key]}"><title>{label}</title></rect>'
            )
        if i % 7 == 0 or (i == len(days) - 1 and i % 7 >= 4):
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="11">'
                f"{day:%d/%m}</text>"
            )
    parts.append("</svg>")
    legend = [
        f'<li><svg width="12" height="12" aria-hidden="true">'
        f'<rect width="12" height="12" fill="{colour[k]}"/>'
        f"</svg> {escape(names.get(k, k) if k != OTHER else OTHER)}</li>"
        for k in keys
        if k != OTHER or any(t not in ranked for t in totals)
    ]
    return Markup("".join(parts) + '<ul class="legend">' + "".join(legend) + "</ul>")
