"""The dashboard's charts, drawn on the server with matplotlib: SVG for the page (it
prints, needs no script and keeps the strict Content-Security-Policy), PNG for the PDF.

matplotlib's SVG styles its shapes with a ``<style>`` element and ``style`` attributes,
both of which the policy's ``style-src`` refuses; ``svg_markup`` turns them into
presentation attributes (``fill``, ``stroke``, ``font-size``…), which it does not
govern. The output is deterministic: a fixed hash salt, no date in the metadata, and the
ids prefixed by the chart's own so that several charts share a page.

Charts are drawn only from the protected figures (withheld values are not drawn); each is
shown beside its data table and a one-line summary.

matplotlib is imported when a chart is first drawn, not when Tandem starts.
"""

from __future__ import annotations

import io
import itertools
import re
import threading
from dataclasses import dataclass
from xml.etree import ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Okabe and Ito's colours, told apart with the common colour-vision deficiencies.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HATCHES = ("", "//", "..", "xx")  # past eight groups, the colours come round with a pattern
_lock = threading.Lock()  # matplotlib's settings are global; one chart at a time


@dataclass(frozen=True)
class ChartSpec:
    key: str  # a short slug, unique on the page (prefixes the SVG's ids)
    title: str
    labels: tuple[str, ...]  # along the bottom: the quarters
    series: tuple[tuple[str, tuple[float | None, ...]], ...]  # (name, values; None withheld)
    unit: str  # the vertical axis's label
    whole: bool = True  # whole numbers (counts) on the vertical axis


RC = {
    "svg.fonttype": "none",  # text stays text: it reads, scales and prints
    "svg.hashsalt": "tandem-dashboard",  # the same ids every time
    "font.family": "sans-serif",
    "font.size": 10,
}


def _settings():
    import matplotlib

    return matplotlib.rc_context(RC)


def _figure(spec: ChartSpec):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, MultipleLocator

    figure = Figure(figsize=(7.5, 3.4), layout="constrained")
    FigureCanvasAgg(figure)  # the Agg canvas: no display, no pyplot state
    axes = figure.add_subplot()
    positions = range(len(spec.labels))
    bottoms = [0.0] * len(spec.labels)
    many = len(spec.series) > 1
    # Groups with nothing drawn are left out of the chart and its key (the table has them).
    drawn = [(name, values) for name, values in spec.series if any(values)] if many else spec.series
    width = 0.6
    for index, (name, values) in enumerate(drawn):
        heights = [v or 0 for v in values]
        axes.bar(
            positions,
            heights,
            width,
            bottom=bottoms if many else None,
            label=name,
            color=COLOURS[index % len(COLOURS)],
            hatch=HATCHES[index // len(COLOURS) % len(HATCHES)],
            edgecolor="white",
            linewidth=0.5,
        )
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    if not many and spec.series:
        for position, value in zip(positions, spec.series[0][1], strict=True):
            if value is None:  # said where a bar is missing because it is withheld
                axes.text(position, 0, "withheld", ha="center", va="bottom", color="#505a5f")
    axes.set_xticks(list(positions), list(spec.labels))
    if len(spec.labels) > 8:  # a long range: the quarters slant so as not to overlap
        for label in axes.get_xticklabels():
            label.set(rotation=45, ha="right", rotation_mode="anchor", fontsize=8)
    axes.set_ylabel(spec.unit)
    top = max(max(bottoms, default=0), 10 if spec.whole else 1)
    if spec.whole:
        # Counts are shown rounded to 5: so are the axis's steps.
        axes.yaxis.set_major_locator(MultipleLocator(tick_step(top)))
    else:
        axes.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    axes.set_ylim(bottom=0, top=top * 1.1)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#b1b4b6", linewidth=0.5)
    axes.set_axisbelow(True)
    if many and drawn:
        handles, names = axes.get_legend_handles_labels()  # the key top-down, as stacked
        axes.legend(
            handles[::-1],
            names[::-1],
            loc="upper left",
            bbox_to_anchor=(1.01, 1),
            frameon=False,
            fontsize=8,
        )
    return figure


def tick_step(top: float) -> int:
    """A multiple of 5 (5, 10, 25, 50, 100, 250…) giving at most six steps up to ``top``."""
    step, factors = 5, itertools.cycle((2, 2.5, 2))
    while top / step > 6:
        step = int(step * next(factors))
    return step


def _attributes(style: str) -> dict[str, str]:
    """``fill: #fff; font: 10px 'DejaVu Sans'`` as presentation attributes."""
    out = {}
    for part in style.split(";"):
        name, _, value = part.partition(":")
        name, value = name.strip(), value.strip()
        if not name:
            continue
        if name == "font":
            match = re.match(r"(?:(\w+)\s+)?([\d.]+px)\s+(.*)", value)
            if match:
                if match.group(1):
                    out["font-weight" if match.group(1) == "bold" else "font-style"] = match.group(
                        1
                    )
                out["font-size"] = match.group(2)
                out["font-family"] = match.group(3).replace("'", "")
            continue
        out[name] = value
    return out


def svg_markup(raw: bytes, *, key: str, label: str) -> str:
    """matplotlib's SVG as inline markup that the page's policy allows."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(raw)  # noqa: S314 (matplotlib's own output, not outside data)
    prefix = f"chart-{key}-"
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag.split("}")[-1]
            if tag in ("style", "metadata"):
                parent.remove(child)
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if style:
            element.attrib.update(_attributes(style))
        if "id" in element.attrib:
            element.attrib["id"] = prefix + element.attrib["id"]
        for name, value in list(element.attrib.items()):
            if "url(#" in value:
                element.attrib[name] = value.replace("url(#", f"url(#{prefix}")
            if name == f"{{{XLINK_NS}}}href" and value.startswith("#"):
                element.attrib[name] = f"#{prefix}{value[1:]}"
    # What the removed <style> said, for every shape.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    root.attrib.pop("height", None)
    root.set("width", "100%")
    root.set("role", "img")
    root.set("aria-label", label)
    root.set("focusable", "false")
    return ET.tostring(root, encoding="unicode")


def svg(spec: ChartSpec, *, label: str) -> str:
    with _lock, _settings():
        figure = _figure(spec)
        out = io.BytesIO()
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return svg_markup(out.getvalue(), key=spec.key, label=label)


def png(spec: ChartSpec) -> bytes:
    with _lock, _settings():
        figure = _figure(spec)
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=150, metadata={"Software": None})
    return out.getvalue()
