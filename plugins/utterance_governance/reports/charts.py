"""Charts drawn on the server as inline SVG: the report pages load nothing from anywhere.

``stacked_bars`` turns counts per run into plain geometry (rectangles, ticks, a legend);
the ``_chart.svg.j2`` template draws it, so every label passes through Jinja's escaping.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# Stable colours for the decision reasons (SPEC §4); other keys take the palette in order.
REASON_COLOURS = {
    "published": "#2f855a",
    "duplicate": "#a0aec0",
    "malformed": "#c53030",
    "opted_out": "#dd6b20",
    "no_consent": "#d69e2e",
    "deletion_requested": "#805ad5",
    "held_back": "#718096",
}
PALETTE = ("#3182ce", "#38b2ac", "#e53e3e", "#ed64a6", "#4a5568", "#975a16", "#2c5282", "#9c4221",
           "#276749", "#6b46c1", "#b7791f", "#2b6cb0")  # fmt: skip


@dataclass(frozen=True)
class Segment:
    key: str
    value: int
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    x: float
    label_x: float
    segments: list[Segment]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_top: float
    plot_bottom: float
    plot_left: float
    plot_right: float
    bars: list[Bar] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)  # (y, label)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (key, colour)
    title: str = ""

    @property
    def empty(self) -> bool:
        return not any(bar.total for bar in self.bars)


def colour_of(key: str, keys: Sequence[str]) -> str:
    if key in REASON_COLOURS:
        return REASON_COLOURS[key]
    others = [k for k in keys if k not in REASON_COLOURS]
    return PALETTE[others.index(key) % len(PALETTE)] if key in others else PALETTE[0]


def _nice_step(maximum: int, ticks: int = 4) -> int:
    raw = max(maximum, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return max(1, int(multiple * magnitude))
    return max(1, int(10 * magnitude))


def _short(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:g}M"
    if n >= 1_000:
        return f"{n / 1_000:g}k"
    return str(n)


def stacked_bars(
    series: Sequence[tuple[str, Mapping[str, int]]],
    *,
    keys: Sequence[str] | None = None,
    title: str = "",
    width: int = 760,
    height: int = 260,
) -> Chart:
    """One stacked bar per ``(label, counts)`` in ``series`` (oldest first), a segment per key.

    ``keys`` fixes which counts are drawn and in which order (default: every key seen,
    ``published`` first, then by total, largest first).
    """
    if keys is None:
        totals: dict[str, int] = {}
        for _, counts in series:
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + int(value or 0)
        keys = sorted((k for k, v in totals.items() if v), key=lambda k: (k != "published", -totals[k], k))
    keys = list(keys)
    left, right, top, bottom = 56.0, float(width - 12), 12.0, float(height - 34)
    maximum = max((sum(int(c.get(k, 0) or 0) for k in keys) for _, c in series), default=0)
    step = _nice_step(maximum)
    scale_max = max(step, math.ceil(maximum / step) * step)
    plot_h = bottom - top
    slot = (right - left) / max(len(series), 1)
    bar_w = max(4.0, min(48.0, slot * 0.7))
    bars = []
    for i, (label, counts) in enumerate(series):
        x = left + i * slot + (slot - bar_w) / 2
        y = bottom
        segments = []
        for key in keys:
            value = int(counts.get(key, 0) or 0)
            if value <= 0:
                continue
            h = plot_h * value / scale_max
            y -= h
            segments.append(Segment(key, value, round(x, 2), round(y, 2), round(bar_w, 2), round(h, 2),
                                    colour_of(key, keys)))  # fmt: skip
        total = sum(s.value for s in segments)
        bars.append(Bar(label, total, round(x, 2), round(x + bar_w / 2, 2), segments))
    ticks = [(round(bottom - plot_h * v / scale_max, 2), _short(v)) for v in range(0, scale_max + 1, step)]
    legend = [(k, colour_of(k, keys)) for k in keys]
    return Chart(width, height, top, bottom, left, right, bars, ticks, legend, title)
