"""A small accessible SVG bar chart of activity per 5-minute bin.

The SVG is built from numbers and time labels only (no resident text), carries a
title and description for screen readers, and each bar has its own title so the
figures are reachable without seeing the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.translation import gettext as _

from .content import ActivityBin

WIDTH = 640
HEIGHT = 200
PAD_LEFT = 36
PAD_BOTTOM = 28
PAD_TOP = 12


def activity_bar_chart(bins: Sequence[ActivityBin], *, chart_id: str = "activity") -> str:
    """SVG markup of statements per bin; empty string when there is no activity."""
    if not bins:
        return ""
    peak = max(b.statements for b in bins) or 1
    plot_w = WIDTH - PAD_LEFT - 8
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / len(bins)
    bar_w = max(step * 0.8, 1.0)
    total = sum(b.statements for b in bins)
    title = _("5분 단위 발언 수")
    desc = _("%(start)s부터 %(end)s까지 %(bins)d개 구간, 발언 %(total)d건, 최대 %(peak)d건") % {
        "start": bins[0].label,
        "end": bins[-1].label,
        "bins": len(bins),
        "total": total,
        "peak": peak,
    }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="activity-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<line x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH - 4}" '
        f'y2="{HEIGHT - PAD_BOTTOM}" stroke="currentColor" stroke-width="1"/>',
        f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + 10}" text-anchor="end" font-size="11" '
        f'fill="currentColor">{peak}</text>',
        f'<text x="{PAD_LEFT - 6}" y="{HEIGHT - PAD_BOTTOM}" text-anchor="end" font-size="11" '
        f'fill="currentColor">0</text>',
    ]
    label_every = max(1, len(bins) // 8)
    for i, b in enumerate(bins):
        h = plot_h * b.statements / peak
        x = PAD_LEFT + i * step + (step - bar_w) / 2
        y = HEIGHT - PAD_BOTTOM - h
        tip = _("%(time)s 발언 %(n)d건") % {"time": b.label, "n": b.statements}
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="#2f6f8f"><title>{escape(tip)}</title></rect>'
        )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" '
                f'text-anchor="middle" font-size="11" fill="currentColor">{escape(b.label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
