"""图表 / charts drawn on the server with matplotlib in Noto Sans CJK SC, cached by content.

``draw(plot)`` returns the chart as SVG (text as glyph outlines: the HTML is self-contained and
the PDF needs no font for it) and as PNG (for Word). Both are reproducible byte for byte (no
dates, fixed hash salt), so a chart is cached under the SHA-256 of its ``Plot`` and the
renderer's version: a second build with unchanged data reads the files instead of drawing.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FONT = "Noto Sans CJK SC"
COLOURS = ("#c0392b", "#2e86c1", "#7f8c8d", "#d4ac0d")
LINE_COLOUR = "#1f3a5f"
STYLE_VERSION = "1"
_lock = threading.Lock()  # pyplot's state is global; one chart at a time per process


@dataclass(frozen=True)
class Plot:
    kind: str
    categories: list[str]
    bars: list[list[float | None]]
    bar_names: list[str]
    line: list[float | None] = field(default_factory=list)
    bar_label: str = ""
    line_label: str = ""
    lang: str = "zh"

    def digest(self) -> str:
        import matplotlib  # deferred: matplotlib (~0.4 s) only when a chart is drawn

        text = json.dumps(
            [asdict(self), STYLE_VERSION, matplotlib.__version__],
            ensure_ascii=False,
            sort_keys=True,
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Cache:
    """Charts on disk by digest; ``None`` folder means no cache."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0

    def draw(self, plot: Plot) -> tuple[str, bytes]:
        key = plot.digest()
        if self.folder is not None:
            svg_path, png_path = self.folder / f"{key}.svg", self.folder / f"{key}.png"
            if svg_path.is_file() and png_path.is_file():
                self.hits += 1
                return svg_path.read_text(encoding="utf-8"), png_path.read_bytes()
        self.misses += 1
        svg, png = draw(plot)
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            _atomic_write(self.folder / f"{key}.svg", svg.encode("utf-8"))
            _atomic_write(self.folder / f"{key}.png", png)
        return svg, png


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + f".{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def draw(plot: Plot) -> tuple[str, bytes]:
    # deferred: pyplot (~0.9 s) must be imported after the Agg backend is chosen
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt  # deferred: after the backend is chosen

    rc: dict[str, Any] = {
        "font.family": "sans-serif",
        "font.sans-serif": [FONT, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "svg.fonttype": "path",
        "svg.hashsalt": "shumao",
        "font.size": 9,
    }
    with _lock, matplotlib.rc_context(rc):  # type: ignore[arg-type]
        fig, ax = plt.subplots(figsize=(6.4, 3.2), dpi=100)
        try:
            _plot(ax, plot)
            fig.tight_layout()
            svg = io.BytesIO()
            fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
            png = io.BytesIO()
            fig.savefig(png, format="png", dpi=200, metadata={"Software": None})
        finally:
            plt.close(fig)
    text = svg.getvalue().decode("utf-8")
    return text[text.index("<svg") :], png.getvalue()


def _plot(ax: Any, plot: Plot) -> None:
    n = len(plot.bars)
    width = 0.8 / max(n, 1)
    xs = list(range(len(plot.categories)))
    for i, (values, name) in enumerate(zip(plot.bars, plot.bar_names, strict=True)):
        offset = (i - (n - 1) / 2) * width
        ax.bar(
            [x + offset for x in xs],
            [v if v is not None else 0.0 for v in values],
            width,
            label=name,
            color=COLOURS[i % len(COLOURS)],
        )
    ax.set_xticks(
        xs,
        plot.categories,
        rotation=0 if len(xs) <= 9 else 45,
        ha="center" if len(xs) <= 9 else "right",
    )
    ax.set_ylabel(plot.bar_label)
    ax.spines[["top", "right"]].set_visible(False)
    handles, labels = ax.get_legend_handles_labels()
    if plot.line:
        twin = ax.twinx()
        twin.plot(
            xs,
            [v if v is not None else float("nan") for v in plot.line],
            color=LINE_COLOUR,
            marker="o",
            linewidth=1.5,
            label=plot.line_label,
        )
        twin.set_ylabel(plot.line_label)
        twin.spines[["top"]].set_visible(False)
        more_h, more_l = twin.get_legend_handles_labels()
        handles, labels = handles + more_h, labels + more_l
    if handles:
        ax.legend(handles, labels, loc="upper left", frameon=False, fontsize=8, ncol=len(handles))
