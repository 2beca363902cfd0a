"""HTML：一个自带一切的文件 / one self-contained HTML file (inline CSS, charts as inline SVG).

``html(doc)`` is the report for screens and phones: every number links to the explorer's
permanent link for exactly that figure (``link_base`` + ``/explorer?…``). ``html(doc,
print_=True)`` is the same text laid out for WeasyPrint: a title page, a contents page with page
numbers, page numbers in the footer, footnotes at the foot of the page. Both are pure functions
of the document, so the same vintages give the same bytes.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from shumao.report import lineage
from shumao.report.document import Document, NoteRef, Num, Paragraph, Run

TEMPLATES = Path(__file__).with_name("templates")
LABELS = {
    "zh": {
        "contents": "目录",
        "annex": "附录　数据说明",
        "id": "编号",
        "figure": "数字",
        "value": "数值",
        "unit": "单位",
        "dataflow": "数据流",
        "series": "序列",
        "period": "期间",
        "vintage": "数据版本",
        "computation": "计算",
        "inputs": "输入",
        "notes": "注释",
        "omitted": "因缺少数据未生成的句子",
        "overrides": "经人工放行的核对项",
        "stamp": "生成依据",
        "annex_intro": "正文、表格和图表中的每个数字均可追溯到库中的数据流、序列、期间和数据版本；计算所得的数字列出计算方法和输入。",
    },
    "en": {
        "contents": "Contents",
        "annex": "Annex: data notes",
        "id": "Id",
        "figure": "Figure",
        "value": "Value",
        "unit": "Unit",
        "dataflow": "Dataflow",
        "series": "Series",
        "period": "Period",
        "vintage": "Vintage",
        "computation": "Computation",
        "inputs": "Inputs",
        "notes": "Notes",
        "omitted": "Sentences left out (data missing)",
        "overrides": "Claims published by a person's decision",
        "stamp": "Built from",
        "annex_intro": "Every number in the text, tables and charts is traced to its dataflow, series, period and vintage; computed numbers show their computation and inputs.",
    },
}


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def runs_html(runs: tuple[Run, ...], doc: Document, link_base: str, print_: bool) -> Markup:
    parts = []
    for run in runs:
        if isinstance(run, Num):
            fig = doc.figures[run.figure]
            title = escape(f"{run.figure} · {fig.label}")
            if print_:
                parts.append(f'<span class="n">{escape(run.text)}</span>')
            else:
                href = escape(link_base + lineage.explorer_link(fig.lineage))
                parts.append(
                    f'<a class="n" href="{href}" title="{title}" '
                    f'data-figure="{run.figure}">{escape(run.text)}</a>'
                )
        elif isinstance(run, NoteRef):
            if print_:
                parts.append(f'<span class="footnote">{escape(doc.notes[run.number - 1])}</span>')
            else:
                parts.append(
                    f'<sup class="fnref"><a href="#fn{run.number}" '
                    f'id="fnref{run.number}">{run.number}</a></sup>'
                )
        else:
            parts.append(escape(run.text))
    return Markup("".join(parts))


def html(
    doc: Document, *, link_base: str = "", print_: bool = False, fonts: dict[str, str] | None = None
) -> str:
    labels = LABELS["en" if doc.lang == "en" else "zh"]

    def render(par: Paragraph) -> Markup:
        return runs_html(par.runs, doc, link_base, print_)

    annex = lineage.lines(doc)
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            doc=doc,
            print_=print_,
            labels=labels,
            render=render,
            annex=annex,
            annex_links={a.id: a.link for a in annex},
            link_base=link_base,
            svg=lambda s: Markup(s),
            fonts=fonts or {},
        )
    )
