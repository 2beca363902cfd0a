"""The normalised text of every seed is clean: no pinyin, page numbers or site debris, and
sentences broken by the layout are whole again."""

from __future__ import annotations

import re

import pytest

from shumao.policy import normalise, repair
from shumao.policy.prepared import Prepared

PINYIN = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}[)）]")
PAGE_LINE = re.compile(r"^\s*[-－—]\s*\d+\s*[-－—]\s*$")


@pytest.mark.parametrize("key", ["000", "001", "002", "003", "004"])
def test_no_debris_left(prepared: dict[str, Prepared], key: str) -> None:
    cleaned = prepared[key].cleaned
    for text in (cleaned.simplified_text, cleaned.display_text):
        assert not PINYIN.search(text)
        assert "\ufffd" not in text
        assert not any(PAGE_LINE.match(p) for p in cleaned.text)
        assert not re.search(r"(?<![\d.])-\d{1,3}-(?![\d.])", text), "inline page marker"
        assert "由会员分享" not in text and "請在三個皮匠報告上搜索" not in text


@pytest.mark.parametrize(
    ("key", "sentence"),
    [
        # 000: a PDF page break cut 坚|持 and 智能物|流 in the middle of a word
        ("000", "坚持企业主体、政府引导、市场运作的原则，坚持创新驱动发展，统筹发展与安全，"),
        ("000", "加快共享经济、电子支付、远程医疗、普惠金融、智能物流等合作。"),
        (
            "000",
            "地方商务、网信办、工业和信息化主管部门应充分认识到数字经济对外投资合作的重要意义，",
        ),
        # 001: pinyin annotations and a mis-aligned GBK run (領域?qū)ν忾_放) removed
        (
            "001",
            "到2029年，可数字化交付的服务贸易规模稳中有增，占我国服务贸易总额的比重提高到45%以上；",
        ),
        ("001", "数字领域对外开放水平大幅提高，与国际高标准经贸规则对接全面加强。"),
        ("001", "建立健全数字贸易统计监测预警体系，适时发布数字贸易统计数据。"),
        # 002: a page break inside 国|际竞争 and a 文号 cited with square brackets
        ("002", "加快形成国际竞争新优势，提升全球价值链层级，具有重要意义。"),
        ("002", "根据《国务院关于加快发展服务贸易的意见》（国发〔2015〕8号）"),
        ("002", "开展数字服务业务企业数量不低于50家。"),
        # 003: one printed line per text line, a paragraph across a page number
        (
            "003",
            "党的二十大报告提出，推动货物贸易优化升级，创新服务贸易发展机制，发展数字贸易，"
            "加快建设贸易强国，将发展数字贸易的战略性、重要性提升到前所未有的新高度。",
        ),
        ("003", "打造集数据采集、共享、处理和可视化展示于一体的大数据统计平台。"),
        ("003", "对数据资源、安全资源、容灾备份资源等进行统一的全局管理，提高管理效率。"),
        # 004: chunk markers and doubled bold headings of the scraped copy gone
        (
            "004",
            "东部地区数字贸易规模优势突出。2022年，东部地区可数字化交付服务进出口规模达3396.5亿美元",
        ),
    ],
)
def test_sentences_are_whole(prepared: dict[str, Prepared], key: str, sentence: str) -> None:
    assert any(sentence in p for p in prepared[key].cleaned.text)


def test_paragraph_breaks_are_kept(prepared: dict[str, Prepared]) -> None:
    pars = prepared["003"].cleaned.text
    assert pars[0] == "前言"  # letter-spaced "前 言" collapsed, still its own paragraph
    assert pars[1].startswith("党的二十大报告提出") and pars[1].endswith("前所未有的新高度。")
    assert pars[2].startswith("当前，新一轮科技革命")
    assert "专栏8：齐鲁软件园开发建设“数字服务出口数据统计监测平台”" in pars
    notice = prepared["002"].cleaned.text
    assert notice[notice.index("商务部服贸司") + 1] == "联系人：敬艳辉"  # short lines stay apart


def test_traditional_script_kept_for_display(prepared: dict[str, Prepared]) -> None:
    opinion = prepared["001"].cleaned
    assert opinion.script == "traditional"
    assert opinion.display[0] == "中共中央辦公廳 國務院辦公廳關于數字貿易改革創新發展的意見"
    assert opinion.text[0] == "中共中央办公厅 国务院办公厅关于数字贸易改革创新发展的意见"
    assert opinion.removed["pinyin"] == 438
    assert opinion.removed["repaired"] == 2
    assert prepared["004"].cleaned.script == "traditional"
    assert prepared["003"].cleaned.script == "simplified"


def test_scraped_copy_debris_counted(prepared: dict[str, Prepared]) -> None:
    copy = prepared["004"].cleaned
    assert copy.scraped
    assert copy.removed["boilerplate"] >= 105  # 105 chunk markers, the share note, the contents
    assert copy.removed["page_numbers"] >= 40
    assert not any(re.match(r"\d{1,3}、", p) for p in copy.text[:3])
    assert prepared["003"].cleaned.removed["page_numbers"] == 2  # "- 9 -" and "- 39 -"


def test_full_width_punctuation_in_chinese_text(prepared: dict[str, Prepared]) -> None:
    for key in ("000", "001", "002"):
        for par in prepared[key].cleaned.text:
            if re.search(r"[\u4e00-\u9fff]", par):
                assert not re.search(r"[\u4e00-\u9fff][,;:()]|[,;:(][\u4e00-\u9fff]", par), par


def test_punctuation_leaves_numbers_times_and_addresses() -> None:
    assert normalise.punctuation("出口额1,234.5亿美元,增长3.4%") == "出口额1,234.5亿美元，增长3.4%"
    assert (
        normalise.punctuation("会议时间:10:30,地址:https://www.mofcom.gov.cn")
        == "会议时间：10:30，地址：https://www.mofcom.gov.cn"
    )
    assert (
        normalise.punctuation("见(DEPA)和商办服贸函[2019]245号")
        == "见（DEPA）和商办服贸函〔2019〕245号"
    )


def test_repair_realigns_shifted_gbk() -> None:
    assert repair.repair("數字領域?qū)ν忾_放水平").text == "數字領域對外開放水平"
    assert repair.repair("衛星導航等領域?qū)ν赓Q(mào)易").text == "衛星導航等領域對外貿(mào)易"
    untouched = repair.repair("为什么?因为")
    assert untouched.text == "为什么?因为" and untouched.repaired == 0
