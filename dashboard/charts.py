"""Bar charts drawn on the server as SVG geometry, with the same numbers as a table.

One shape for every chart on the dashboard: labels along the bottom, one or more series
side by side (grouped) or on top of each other (stacked), each value optionally linking to
the list behind it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 200
LEFT = 44  # room for the scale
BOTTOM = 26  # room for the labels
TOP = 20  # room for the value over the tallest bar


@dataclass
class Series:
    name: str
    values: list[int]
    links: list[str] | None = None
    css: str = ""


@dataclass
class Chart:
    title: str
    labels: list[str]
    series: list[Series]
    stacked: bool = False
    unit: str = ""
    bars: list[dict[str, Any]] = field(default_factory=list)
    ticks: list[dict[str, Any]] = field(default_factory=list)
    scale_top: int = 0
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The table: one row per label, one cell per series (value and link)."""
        return [
            {
                "label": label,
                "cells": [
                    {"value": s.values[i], "href": s.links[i] if s.links else ""}
                    for s in self.series
                ],
            }
            for i, label in enumerate(self.labels)
        ]

    @property
    def empty(self) -> bool:
        return not any(any(s.values) for s in self.series)

    @property
    def legend(self) -> bool:
        return len(self.series) > 1


def _n(value: float) -> str:
    return f"{value:.1f}"


def draw(chart: Chart) -> Chart:
    """Fill in the chart's bars and scale."""
    for j, s in enumerate(chart.series):
        s.css = s.css or f"s{j}"
    n = max(len(chart.labels), 1)
    if chart.stacked:
        top = max(
            (sum(s.values[i] for s in chart.series) for i in range(len(chart.labels))), default=0
        )
    else:
        top = max((v for s in chart.series for v in s.values), default=0)
    top = top or 1
    plot_w = chart.width - LEFT - 4
    plot_h = chart.height - BOTTOM - TOP
    slot = plot_w / n
    gap = min(6.0, slot * 0.2)
    per_bar = (slot - gap) / (1 if chart.stacked else max(len(chart.series), 1))
    # Every label that fits: about 10 units per character at the tick size (16 units, so
    # 12 px at the chart's smallest width of 480 px), plus a gap.
    widest = max((len(label) for label in chart.labels), default=1) * 10 + 10
    label_every = max(1, math.ceil(widest / slot))
    bars = []
    for i, label in enumerate(chart.labels):
        base: float = chart.height - BOTTOM
        for j, s in enumerate(chart.series):
            value = s.values[i]
            h = plot_h * value / top
            x = LEFT + i * slot + gap / 2 + (0 if chart.stacked else j * per_bar)
            y = base - h
            bars.append(
                {
                    # Coordinates as text: the template prints them as they are, unlocalised.
                    "x": _n(x),
                    "y": _n(y),
                    "value_y": _n(y - 3),
                    "w": _n(max(per_bar - (0 if chart.stacked else 1), 1)),
                    "h": _n(h),
                    "value": value,
                    "label": label,
                    "series": s.name,
                    "css": s.css,
                    "show_value": not chart.stacked and n * len(chart.series) <= 24 and value,
                }
            )
            if chart.stacked:
                base = y
        chart.ticks.append(
            {
                "x": _n(LEFT + i * slot + slot / 2),
                "label": label,
                "show": i % label_every == 0,
            }
        )
    chart.bars = [bar for bar in bars if bar["h"] != "0.0"]
    chart.scale_top = top
    return chart


def _pattern_fill(id: str, series: int) -> str:
    return f' fill="url(#{id}-p1)"' if series == 1 else ""


def to_html(chart: Chart, id: str) -> SafeString:
    """The chart as a <figure>: the SVG (its title and description name it for screen
    readers), a legend, and the numbers as a table whose values link to their lists.

    Built here rather than in a template: a year of weeks is a few hundred elements, and
    this is the dashboard's busiest markup.
    """
    e = escape
    axis_y = chart.height - BOTTOM
    desc = (
        "No data in this period."
        if chart.empty
        else f"Scale 0 to {chart.scale_top}. The numbers are in the table below the chart."
    )
    out = [
        f'<figure class="chart" aria-labelledby="{id}-caption">',
        f'<figcaption id="{id}-caption">{e(chart.title)}',
    ]
    if chart.legend:
        out.append('<span class="legend">')
        for j, s in enumerate(chart.series):
            out.append(
                f'<span class="key"><svg width="14" height="14" aria-hidden="true"><rect'
                f' class="bar {s.css}" width="14" height="14"{_pattern_fill(id, j)}/></svg>'
                f" {e(s.name)}</span>"
            )
        out.append("</span>")
    out.append("</figcaption>")
    if chart.empty:
        out.append('<p class="empty">No data in this period.</p>')
    else:
        out += [
            f'<div class="chart-box"><svg role="img" aria-labelledby="{id}-title {id}-desc"'
            f' viewBox="0 0 {chart.width} {chart.height}" preserveAspectRatio="xMinYMid meet">',
            f'<title id="{id}-title">{e(chart.title)}</title><desc id="{id}-desc">{desc}</desc>',
            # The second series is hatched as well as coloured: told apart without colour.
            f'<defs><pattern id="{id}-p1" width="6" height="6" patternUnits="userSpaceOnUse"'
            ' patternTransform="rotate(45)"><rect class="hatch-bg" width="6" height="6"/>'
            '<line class="hatch" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>',
            f'<line class="axis" x1="{LEFT}" x2="{chart.width - 4}" y1="{axis_y}" y2="{axis_y}"/>',
            f'<text class="tick" x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end">{chart.scale_top}</text>',
            f'<text class="tick" x="{LEFT - 4}" y="{axis_y}" text-anchor="end">0</text>',
        ]
    index = {s.name: j for j, s in enumerate(chart.series)}
    for bar in [] if chart.empty else chart.bars:
        name = f", {e(bar['series'])}" if chart.legend else ""
        fill = _pattern_fill(id, index.get(bar["series"], 0))
        out.append(
            f'<rect class="bar {bar["css"]}" x="{bar["x"]}" y="{bar["y"]}" width="{bar["w"]}"'
            f' height="{bar["h"]}"{fill}><title>{e(bar["label"])}{name}: {bar["value"]}</title></rect>'
        )
        if bar["show_value"]:
            out.append(
                f'<text class="bar-value" x="{bar["x"]}" y="{bar["value_y"]}">{bar["value"]}</text>'
            )
    for tick in [] if chart.empty else chart.ticks:
        if tick["show"]:
            out.append(
                f'<text class="tick" x="{tick["x"]}" y="{chart.height - 6}"'
                f' text-anchor="middle">{e(tick["label"])}</text>'
            )
    if not chart.empty:
        out.append("</svg></div>")
    out.append(
        '<details><summary>The numbers</summary><div class="table-scroll"><table class="table small">'
        f'<thead><tr><th scope="col">{e(chart.unit.capitalize())}</th>'
    )
    out.extend(f'<th scope="col" class="num">{e(s.name)}</th>' for s in chart.series)
    out.append("</tr></thead><tbody>")
    for row in chart.rows:
        out.append(f'<tr><th scope="row">{e(row["label"])}</th>')
        for cell in row["cells"]:
            value = cell["value"]
            if cell["href"] and value:
                out.append(f'<td class="num"><a href="{e(cell["href"])}">{value}</a></td>')
            else:
                out.append(f'<td class="num">{value}</td>')
        out.append("</tr>")
    if not chart.labels:
        out.append("<tr><td>No data in this period.</td></tr>")
    out.append("</tbody></table></div></details></figure>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
