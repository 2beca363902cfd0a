"""The generated narrative of the 2022 report against the printed report (seeds 003/004).

Every sentence template is rendered from the store; its numbers are compared, in order, with the
numbers of the sentence the report printed, at the report's printed precision. Where they differ
the test names the reason (the store holds a later vintage, another measure, or the report's own
arithmetic is off), so the list of what the data cannot support is part of the test.
"""

from __future__ import annotations

import re

import pytest

from report.conftest import Built

NUMBER = re.compile(r"\d+(?:\.\d+)?")

# (sentence id, what the report printed) — copied from demo/policy/003 (PDF extraction joined).
PRINTED = {
    "global_exports": "2022 年全球可数字化交付服务出口额为 4.1万亿美元，同比增长 3.4%",
    "cbec_headline": "跨境电商进出口额达 2.11万亿元人民币，同比增长 9.8%。",
    "cbec_headline_exports": "其中，出口额达 1.55万亿元，同比增长 11.7%。",
    "global_leaders": "美国、英国、爱尔兰、德国和日本的数字服务出口分别为 6561亿美元、3780亿美元、"
    "3230亿美元、2368亿美元和 1171亿美元，在全球的占比分别为 16.1%、9.3%、7.9%、"
    "5.8%和 2.9%。",
    "china_total": "2022 年，中国可数字化交付的服务进出口额为 3727.1亿美元，同比增长 3.4%，规模再创"
    "历史新高。其中，出口2105.4 亿美元，同比增长 7.6%；进口 1621.7 亿美元，同比下降 "
    "1.6%；实现顺差 483.7亿美元，比上年增长 175.4亿美元。",
    "east": "东部地区数字贸易规模优势突出。2022年，东部地区可数字化交付服务进出口规模达 3396.5亿美元"
    "，全国占比高达91.1%，出口为 1914.8亿美元，进口为 1481.7亿美元，顺差为 433.1 亿美元，"
    "数字贸易发展优势地位显著。进出口规模排名前五位的省市为上海、广东、北京、江苏和浙江，"
    "规模分别为 985.8亿美元、820.5亿美元、726.6亿美元、307.5亿美元和 302.2亿美元。",
    "other_regions": "2022年，中部地区、西部地区、东北地区可数字化交付服务贸易规模分别为85.9亿美元、"
    "151.38亿美元和 93.3亿美元，占全国的比重分别为 2.3%、4.1%和 2.5%。其中，中部地区"
    "出口 47.1亿美元，进口 38.8亿美元，顺差 8.2亿美元；西部地区出口 96.2亿美元，进口"
    " 55.2亿美元，顺差 41.0亿美元；东北地区出口 47.3亿美元，进口 46.0亿美元，顺差 "
    "1.3亿美元。",
    "ict": "2022年，中国电信、计算机和信息服务贸易规模约为 1209.6亿美元，同比增长 3.3%。其中，出口"
    "规模达 829.2亿美元，同比增长 7.7%。",
    "total12": "2022 年，12 个省市可数字化交付服务进出口总额达3545.22 亿美元，同比增长 3.54%，占全国"
    "比重达 95.12%。其中，出口额 2013.39 亿美元，同比增长 7.36%，进口额1531.83亿美元，"
    "同比下降 1.08%。",
    "top5_provinces": "分地区看，贸易规模最大的 5个省市分别是：上海市、广东省、北京市、江苏省和浙江省。"
    "2022年，上述 5个省市可数字化交付服务贸易额全国占比分别为 26.45%、22.01%、"
    "19.50%、8.25%和 8.11%，成为推动中国数字贸易增长的主阵地。",
    "bases_growth": "2020—2022年，杭州高新技术产业开发区（滨江）物联网产业园可数字化服务进出口额由 "
    "21.41 亿美元增长至 53.93亿美元，增长 151.9%。大连高新技术产业园区由 27.30 亿美元"
    "增长至 38.36 亿美元，增长 26.05%。成都天府软件园由 33.61亿美元增至 36.03亿美元，"
    "增长 7.20%。齐鲁软件园由 10.60亿美元增长至 16.03亿美元，增长 51.23%。中国（南京）"
    "软件谷由 11.32 亿美元增至 12.04 亿美元，增长 6.36%。",
    "bases_output": "2020—2022年，中关村软件园产值由 3366亿元增至 4759亿元。中国（南京）软件谷产值由"
    "2170亿元增至 2600亿元。杭州高新区（滨江）物联网产业园产值由 1380亿元增至 1627亿元。"
    "齐鲁软件园产值由 1130 亿元增至 1560 亿元。成都天府软件园产值由1020亿元增至 1554亿元。",
}

# Numbers the store cannot reproduce, by (sentence id, position among the printed numbers): why.
NOT_SUPPORTED = {
    ("global_exports", 1): "增速：库中为 UNCTAD 修订后的数（4.6%），报告用的是 WTO 早期估计 3.4%",
    (
        "china_total",
        7,
    ): "顺差比上年增长：由公布的已舍入增速推算上年值得 175.2，报告 175.4 在舍入范围"
    "（175.03～175.42）之内，只是不能精确重现",
    ("total12", 1): "12省市合计为表2所印（已舍入）各省数之和 3545.23；报告合计用的是未舍入数",
    ("total12", 4): "出口合计同上：各省所印数之和 2013.38，报告 2013.39",
    ("bases_growth", 5): "大连 38.36 ÷ 27.30 − 1 = 40.5%，报告印作 26.05%（报告自身计算有误）",
    ("bases_growth", 10): "齐鲁软件园 2022 年表3为 16.04，正文印作 16.03",
    ("bases_growth", 11): "51.23% 按正文的 16.03 计算；按表3的 16.04 为 51.32%",
}
WHOLE_SENTENCE_NOT_SUPPORTED = {
    "ict": "库中只有 WTO 的数字交付（模式1）估计，不是报告所用的国际收支口径电信、计算机和信息服务"
    "贸易总额；进出口合计与增速也无对应数据",
}
EXTRA_IN_OURS = {"bases_output": "本系统列出表4全部 6 个基地，报告正文只写了 5 个（无合肥）"}


def _numbers(text: str) -> list[str]:
    return [n for n in NUMBER.findall(text) if not re.fullmatch(r"(19|20)\d\d", n)]


def _places(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _render(built: Built, sid: str) -> str:
    from shumao.report.checks import load_data
    from shumao.report.data import Reader
    from shumao.report.sentences import RUN, Renderer
    from shumao.report.template import load
    from shumao.storage.engine import make_engine
    from shumao.validation.findings import Report

    engine = make_engine(url=built.engine_url)
    try:
        report = Report()
        template = load(None, report)
        assert template is not None
        data = load_data(template, Reader(engine), 2022, report)
    finally:
        engine.dispose()
    text, _ = Renderer(data, year=2022, lang="zh").render(template.section("sentences")[sid]["zh"])
    return RUN.sub(lambda m: m.group(2) or "", text)


@pytest.mark.parametrize("sid", sorted(PRINTED))
def test_every_number_the_data_support_matches_the_printed_report(sid: str, built: Built) -> None:
    ours = _numbers(_render(built, sid))
    printed = _numbers(PRINTED[sid])
    if sid in WHOLE_SENTENCE_NOT_SUPPORTED:
        assert ours[0] not in printed, WHOLE_SENTENCE_NOT_SUPPORTED[sid]
        return
    if sid in EXTRA_IN_OURS:
        ours = ours[: len(printed)]
    assert len(ours) == len(printed), (ours, printed)
    wrong = []
    for i, (a, b) in enumerate(zip(ours, printed, strict=True)):
        places = min(_places(a), _places(b))
        same = round(float(a), places) == round(float(b), places)
        if (sid, i) in NOT_SUPPORTED:
            assert not same, f"{sid}[{i}] now matches; remove it from NOT_SUPPORTED"
        elif not same:
            wrong.append(f"{sid}[{i}]: ours {a}, printed {b}")
    assert not wrong


def test_the_opening_of_chinas_chapter_reads_with_the_reports_figures(built: Built) -> None:
    assert _render(built, "china_total") == (
        "2022年，中国可数字化交付的服务进出口额为3727.1亿美元，同比增长3.4%。其中，出口2105.4亿美元，"
        "同比增长7.6%；进口1621.7亿美元，同比下降1.6%；实现顺差483.7亿美元，比上年增长175.2亿美元。"
    )


def test_the_unsupported_numbers_are_listed_with_a_reason() -> None:
    reasons = [*NOT_SUPPORTED.values(), *WHOLE_SENTENCE_NOT_SUPPORTED.values()]
    assert all(len(r) > 10 for r in reasons) and len(reasons) == 8


def test_digitally_ordered_chapter_from_every_release(engine: object, tmp_path: object) -> None:
    """With every customs release loaded the chapter 数字订购贸易 uses the annual survey (2.1万亿元,
    +7.1%) and its partner shares, and the Belt and Road share as the bound it was published as."""
    from pathlib import Path

    from report.conftest import DEMO, load_report_data, request_for
    from shumao.ingest.pipeline import run_import
    from shumao.ingest.sources.customs_cbec import release_files
    from shumao.report.build import build

    load_report_data(engine)  # type: ignore[arg-type]
    for path in release_files(DEMO / "data" / "customs_cbec"):
        run_import(engine, "customs-cbec", path)  # type: ignore[arg-type]
    out = Path(str(tmp_path)) / "out"
    result = build(engine, request_for(out, formats=("html",)))  # type: ignore[arg-type]
    text = re.sub(r"<[^>]+>", "", result.files["html"].read_text(encoding="utf-8"))
    assert (
        "跨境电商进出口额达2.10万亿元人民币，同比增长7.1%。其中，出口额达1.53万亿元，同比增长10.1%。"
        in text
    )
    assert (
        "从出口市场看，美国、英国、德国、马来西亚和俄罗斯分别占跨境电商出口的34.3%、6.5%、4.6%、"
        "3.9%和2.9%。"
    ) in text
    assert (
        "从进口来源地看，日本、美国、澳大利亚和法国分别占跨境电商进口的21.7%、17.9%、10.5%和7.5%。"
        in text
    )
    assert "与共建“一带一路”国家的跨境电商进出口占比超过50%。" in text
    assert "跨境电商进出口占同期货物贸易进出口总值的5.0%。" in text  # 2.1 / 42.07
    assert "数字订购的服务尚无统计来源，故此为数字贸易规模的下限" in text
