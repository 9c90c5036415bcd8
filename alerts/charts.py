"""Small server-rendered SVG charts: no JavaScript, no third-party library, readable on a
phone. Each returns SVG markup built from numbers only (nothing user-written)."""

from __future__ import annotations

from datetime import timedelta
from html import escape


def _minutes(value: timedelta | None) -> float:
    return value.total_seconds() / 60 if value else 0.0


def human(value: timedelta | None) -> str:
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest:02d}"
    return f"{hours // 24} j {hours % 24} h"


def bar_chart(rows: list[tuple[str, timedelta | None, timedelta | None]], *, width: int = 640) -> str:
    """Horizontal bars: median (dark) and 90th percentile (light) per label. Nothing when
    no stage was reached, so the page shows its empty state rather than bare labels."""
    if not any(median or p90 for _, median, p90 in rows):
        return ""
    bar_h, gap, label_w = 16, 10, 170
    top = max((_minutes(p90) or _minutes(median)) for _, median, p90 in rows) or 1.0
    height = len(rows) * (2 * bar_h + gap) + 10
    scale = (width - label_w - 90) / top
    # The text alternative says in words what the bars show (WCAG 1.1.1).
    described = "; ".join(f"{label} : médiane {human(median)}, 90e centile {human(p90)}" for label, median, p90 in rows)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(described)}" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    y = 5
    for label, median, p90 in rows:
        parts.append(f'<text x="0" y="{y + bar_h}" class="chart-label">{escape(label[:28])}</text>')
        for value, css, dy in ((median, "bar-median", 0), (p90, "bar-p90", bar_h)):
            w = max(1.0, _minutes(value) * scale) if value else 0
            parts.append(f'<rect x="{label_w}" y="{y + dy}" width="{w:.1f}" height="{bar_h - 2}" class="{css}"/>')
            value_x, value_y = label_w + w + 4, y + dy + bar_h - 4
            parts.append(f'<text x="{value_x:.1f}" y="{value_y}" class="chart-value">{escape(human(value))}</text>')
        y += 2 * bar_h + gap
    parts.append("</svg>")
    return "".join(parts)


def line_chart(points: list[tuple[str, timedelta | None]], *, width: int = 640, height: int = 180) -> str:
    """Median over time; missing periods leave a gap."""
    known = [_minutes(v) for _, v in points if v is not None]
    if not known:
        return ""
    top = max(known) or 1.0
    step = (width - 60) / max(1, len(points) - 1)
    described = "Médiane par période : " + ", ".join(f"{label} {human(value)}" for label, value in points)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height + 30}" role="img" aria-label="{escape(described)}" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    path, previous = [], False
    for i, (label, value) in enumerate(points):
        x = 40 + i * step
        if value is not None:
            y = height - (_minutes(value) / top) * (height - 20)
            path.append(f"{'L' if previous else 'M'}{x:.1f},{y:.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="dot"/>')
            previous = True
        else:
            previous = False
        parts.append(
            f'<text x="{x:.1f}" y="{height + 20}" class="chart-value" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(f'<path d="{" ".join(path)}" class="line"/>')
    parts.append(f'<text x="0" y="12" class="chart-value">{escape(human(timedelta(minutes=top)))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def funnel_bars(steps: list[tuple[str, str, int]], *, width: int = 640) -> str:
    """The stage funnel: one horizontal bar per stage, its width the share of the reports
    received that reached it. Built from numbers and escaped labels."""
    if not steps or not steps[0][2]:
        return ""
    total = steps[0][2]
    row, label_width = 26, 230
    height = row * len(steps)
    parts = [
        f'<svg class="chart funnel" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(", ".join(f"{label} {count}" for _, label, count in steps))}" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (_, label, count) in enumerate(steps):
        y = i * row
        w = (width - label_width - 70) * count / total
        parts.append(f'<text x="0" y="{y + 17}" class="chart-label">{escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" class="bar-median"/>')
        share = round(100 * count / total)
        parts.append(f'<text x="{label_width + w + 6:.1f}" y="{y + 17}" class="chart-value">{count} · {share} %</text>')
    parts.append("</svg>")
    return "".join(parts)


def count_line(points: list[tuple[str, int]], *, width: int = 640, height: int = 120) -> str:
    """Reports received per period, as bars with their count: the time series of counts."""
    if not points or not any(count for _, count in points):
        return ""
    top = max(count for _, count in points) or 1
    step = width / len(points)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height + 30}" role="img" '
        f'aria-label="{escape("Signalements reçus : " + ", ".join(f"{label} {count}" for label, count in points))}" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, count) in enumerate(points):
        h = (count / top) * height
        x, w = i * step, max(1.0, step - 4)
        parts.append(f'<rect x="{x:.1f}" y="{height - h:.1f}" width="{w:.1f}" height="{h:.1f}" class="bar-median"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - h - 3:.1f}" class="chart-value">{count}</text>')
        parts.append(f'<text x="{x:.1f}" y="{height + 14}" class="chart-label">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def count_bars(counts: list[int], *, highlight: set[int] | None = None, width: int = 280, height: int = 48) -> str:
    """One cercle's reports per day, oldest first: small bars, days of a spike in the
    warning colour. Built from numbers only."""
    if not counts:
        return ""
    highlight = highlight or set()
    top = max(counts) or 1
    step = width / len(counts)
    parts = [
        f'<svg class="chart spark" viewBox="0 0 {width} {height + 12}" role="img" '
        f'aria-label="{sum(counts)} signalements en {len(counts)} jours, au plus {top} par jour'
        f'{", dont des jours de hausse" if highlight else ""}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, count in enumerate(counts):
        h = (count / top) * height if count else 0
        css = "bar-spike" if i in highlight else "bar-median"
        x, w = i * step, max(1.0, step - 1)
        parts.append(f'<rect x="{x:.1f}" y="{height - h:.1f}" width="{w:.1f}" height="{h:.1f}" class="{css}"/>')
    parts.append(f'<text x="0" y="{height + 11}" class="chart-value">max {top}</text>')
    parts.append("</svg>")
    return "".join(parts)
