"""The report as one self-contained HTML file: inline CSS, the confusion heatmap as an embedded PNG, no links out."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from html import escape
from typing import Any

from evals.report.blocks import Heatmap, Quote, ShiftChart, Table, TrendChart
from evals.report.run_report import Report

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 72rem; color: #1f2328; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.pass { color: #1a7f37; font-weight: 600; } td.fail { color: #cf222e; font-weight: 600; }
caption { caption-side: top; text-align: left; font-style: italic; color: #57606a; padding-bottom: .25rem; }
.findings { background: #fff8c5; border: 1px solid #d4a72c; padding: .5rem 1.5rem; border-radius: 6px; }
.findings li { margin: .3rem 0; }
blockquote { border-left: 4px solid #d0d7de; margin: .3rem 0 .8rem; padding: .2rem .8rem; color: #3d444d; }
blockquote p { margin: .2rem 0; white-space: pre-wrap; }
.label { font-weight: 600; margin: .6rem 0 0; }
img.heatmap { max-width: 34rem; display: block; }
img.chart { max-width: 48rem; display: block; }
"""


def _png(draw: Callable[[Any, Any], None], size: tuple[float, float]) -> bytes:
    """A figure of `size` inches drawn by `draw(fig, ax)`, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=size, dpi=110)
    try:
        draw(fig, ax)
        fig.tight_layout()
        buffer = io.BytesIO()
        # No metadata: the default 'Software' text chunk carries a web address.
        fig.savefig(buffer, format="png", metadata={"Software": None})
    finally:
        plt.close(fig)
    return buffer.getvalue()


def heatmap_png(heatmap: Heatmap) -> bytes:
    """Render the confusion matrix (plus a 'not assessed' column) as a PNG with a count in every cell."""
    import numpy as np

    counts = np.array([row + [na] for row, na in zip(heatmap.matrix, heatmap.not_assessed)], dtype=float)

    def draw(fig, ax) -> None:
        image = ax.imshow(counts, cmap="Blues", vmin=0, vmax=max(1.0, counts.max()))
        columns = [str(lab) for lab in heatmap.labels] + ["n/a"]
        ax.set_xticks(range(len(columns)), labels=columns)
        ax.set_yticks(range(len(heatmap.labels)), labels=[str(lab) for lab in heatmap.labels])
        ax.set_xlabel("graded score (n/a = not assessed)")
        ax.set_ylabel("intended level")
        ax.axvline(len(heatmap.labels) - 0.5, color="#57606a", linewidth=1.5)
        threshold = counts.max() / 2
        for (i, j), value in np.ndenumerate(counts):
            color = "white" if value > threshold and value > 0 else "#1f2328"
            ax.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=9, color=color)
        fig.colorbar(image, ax=ax, label="score pairs")

    return _png(draw, (5.6, 4.4))


def shift_chart_png(chart: ShiftChart) -> bytes:
    """Render the shifts as horizontal bars with 95% whiskers and the reference lines."""
    bars = [(label, v, lo, hi) for label, v, lo, hi in chart.bars if v is not None]

    def draw(fig, ax) -> None:
        ys = list(range(len(bars)))[::-1]
        values = [v for _, v, _, _ in bars]
        below = [v - (lo if lo is not None else v) for _, v, lo, _ in bars]
        above = [(hi if hi is not None else v) - v for _, v, _, hi in bars]
        ax.barh(ys, values, color=["#cf222e" if v < 0 else "#0969da" for v in values], height=0.6)
        ax.errorbar(values, ys, xerr=[below, above], fmt="none", ecolor="#1f2328", capsize=3, linewidth=1)
        for x in chart.lines:
            ax.axvline(x, color="#57606a", linewidth=1)
        ax.set_yticks(ys, labels=[label for label, _, _, _ in bars], fontsize=8)
        ax.set_xlabel("mean score shift (perturbed - original)")
        ax.set_title(chart.title, fontsize=9)

    return _png(draw, (7.5, 0.32 * len(bars) + 1.2))


def trend_chart_png(chart: TrendChart) -> bytes:
    """Each metric as a line across the runs, its gate dashed in the same colour, failing points ringed."""

    def draw(fig, ax) -> None:
        xs = list(range(len(chart.runs)))
        for k, (name, threshold, values) in enumerate(chart.series):
            colour = f"C{k}"
            shown = [(x, v) for x, v in zip(xs, values) if v is not None]
            ax.plot([x for x, _ in shown], [v for _, v in shown], marker="o", color=colour, label=name)
            if threshold is not None:
                ax.axhline(threshold, color=colour, linestyle="--", linewidth=0.8)
        ax.set_xticks(xs, labels=chart.runs, rotation=45, ha="right", fontsize=7)
        ax.set_title(chart.title, fontsize=9)
        ax.legend(fontsize=7, loc="best")

    return _png(draw, (7.5, 3.2))


def _cell(text: str, tag: str = "td") -> str:
    mark = ' class="pass"' if text.startswith("PASS") else ' class="fail"' if text.startswith("FAIL") else ""
    return f"<{tag}{mark if tag == 'td' else ''}>{escape(text)}</{tag}>"


def table_html(table: Table) -> str:
    """One table as HTML, every cell escaped; PASS and FAIL cells marked for colour."""
    caption = f"<caption>{escape(table.caption)}</caption>" if table.caption else ""
    head = "<tr>" + "".join(_cell(h, "th") for h in table.headers) + "</tr>"
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in table.rows)
    return f"<table>{caption}<thead>{head}</thead><tbody>{body}</tbody></table>"


def _inline(text: str) -> str:
    """Escape a paragraph, keeping the report's one markdown device: **bold** around an interview id."""
    parts = escape(text).split("**")
    return "".join(f"<strong>{p}</strong>" if k % 2 else p for k, p in enumerate(parts))


def block_html(block) -> str:
    """One report block as HTML: a table, a chart (as an embedded PNG with its table), a quote or a paragraph."""
    if isinstance(block, Table):
        return table_html(block)
    if isinstance(block, Heatmap):
        data = base64.b64encode(heatmap_png(block)).decode("ascii")
        alt = "Heatmap of intended level against graded score"
        return f'<img class="heatmap" alt="{alt}" src="data:image/png;base64,{data}">' + table_html(block.table())
    if isinstance(block, TrendChart):
        data = base64.b64encode(trend_chart_png(block)).decode("ascii")
        return f'<img class="chart trend" alt="{escape(block.title)}" src="data:image/png;base64,{data}">' + table_html(
            block.table()
        )
    if isinstance(block, ShiftChart):
        data = base64.b64encode(shift_chart_png(block)).decode("ascii")
        return f'<img class="chart" alt="{escape(block.title)}" src="data:image/png;base64,{data}">' + table_html(block.table())
    if isinstance(block, Quote):
        lines = "".join(f"<p>{escape(line)}</p>" for line in block.lines)
        return f'<p class="label">{escape(block.label)}</p><blockquote>{lines}</blockquote>'
    return f"<p>{_inline(block)}</p>"


def render_html(report: Report) -> str:
    """The whole report as one HTML document that needs nothing beside it."""
    findings = "".join(f"<li>{escape(f)}</li>" for f in report.findings) or "<li>Nothing to report.</li>"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(report.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(report.title)}</h1>",
        f'<section id="findings"><h2>Findings</h2><ul class="findings">{findings}</ul></section>',
    ]
    for section in report.sections:
        body = "".join(block_html(b) for b in section.blocks)
        parts.append(f'<section id="{section.key}"><h2>{escape(section.title)}</h2>{body}</section>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
