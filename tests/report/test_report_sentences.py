"""The sentence filters: Chinese statistical conventions, and every number marked."""

from __future__ import annotations

import pytest

from shumao.report.data import Row, Rows
from shumao.report.figures import Figure, Lineage
from shumao.report.sentences import RUN, Missing, Renderer


def _fig(value: float | None, unit: str = "亿美元", label: str = "x") -> Figure:
    return Figure(
        value,
        unit,
        Lineage("MOFCOM_REPORT", ("CHN", "WLD", "DD", "T", "VALUE", "A"), "2022", 9),
        2,
        label,
    )


def _say(source: str, lang: str = "zh", **figures: Figure) -> str:
    rows = Rows("t", [Row("CHN", "中国", "2022", dict(figures))], {})
    text, scope = Renderer({"t": rows}, year=2022, lang=lang).render(source)
    assert len(scope.figures) == text.count("\ue000")
    return RUN.sub(lambda m: m.group(2) or "", text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3.38, "同比增长3.4%"), (-1.62, "同比下降1.6%"), (0.04, "与上年持平"), (-0.04, "与上年持平")],
)
def test_yoy(value: float, expected: str) -> None:
    assert _say("{{ t.CHN.g | yoy }}", g=_fig(value, "%")) == expected


def test_amounts_points_ranks_and_lists() -> None:
    figs = {
        "T": _fig(3727.07),
        "W": _fig(40839.64),
        "p": _fig(-0.34, "%"),
        "r": _fig(5, "位"),
        "d": _fig(175.23),
    }
    assert (
        _say(
            "{{ t.CHN.T | amount }}，{{ t.CHN.W | trillion }}，{{ t.CHN.p | pp }}，"
            "{{ t.CHN.r | rank }}，比上年{{ t.CHN.d | rise }}",
            **figs,
        )
        == "3727.1亿美元，4.1万亿美元，下降0.3个百分点，居全球第5位，比上年增长175.2亿美元"
    )
    assert (
        _say("{{ t.CHN.T | amount }}, {{ t.CHN.p | pp }}", "en", **figs)
        == "US$372.7 billion, down 0.3 percentage points"
    )
    assert _say("{{ t.CHN.d | rise }}", "en", d=_fig(-175.23)) == "a decrease of US$17.5 billion"


def test_a_missing_number_raises_missing_never_a_blank() -> None:
    with pytest.raises(Missing):
        _say("{{ t.CHN.T | amount }}", T=_fig(None))
    with pytest.raises(Missing, match="nope"):
        _say("{{ t.nope.T | amount }}")


def reason(source: str, **figures: Figure) -> str:
    with pytest.raises(Missing) as caught:
        _say(source, **figures)
    return str(caught.value)


def test_a_left_out_sentence_says_in_words_what_data_are_missing() -> None:
    """Never a Python error ("'Rows object' has no attribute 'BRI'") as the reason."""
    assert reason("{{ t.BRI.sT | pct }}") == (
        "数据 t 中没有共建“一带一路”国家（BRI）这一行 / the data t have no row for Belt and "
        "Road partner countries (BRI)"
    )
    assert reason("{{ t['湖南'].T | amount }}").startswith("数据 t 中没有湖南这一行 / ")
    assert (
        reason("{{ t.CHN.T | amount }}")
        == "中国（2022）没有 T 的数值 / 中国 (2022) has no value for T"
    )
    assert reason("{{ table9.CHN.T | amount }}") == (
        "没有名为 table9 的数据（模板未定义此数据源）/ no data named table9 (the template "
        "defines no such data source)"
    )
    assert reason("{{ (t.CHN.T.value / t.CHN.Z.value) | n }}", T=_fig(1.0), Z=_fig(0.0)) == (
        "分母为零，无法计算比重或增速 / a denominator is zero: no share or growth rate"
    )
    assert reason("{{ top(t, 3, 'T') | names }}").startswith("数据 t 中没有可排序的T / ")


def test_names_and_each_join_the_chinese_way() -> None:
    rows = Rows(
        "p",
        [
            Row(c, n, "2022", {"T": _fig(v)})
            for c, n, v in (
                ("310000", "上海", 985.78),
                ("440000", "广东", 820.5),
                ("110000", "北京", 726.61),
            )
        ],
        {},
    )
    text, _ = Renderer({"p": rows}, year=2022, lang="zh").render(
        "{{ p | names(true) }}分别为{{ p | each('T') }}"
    )
    assert (
        RUN.sub(lambda m: m.group(2), text)
        == "上海市、广东省和北京市分别为985.8亿美元、820.5亿美元和726.6亿美元"
    )
