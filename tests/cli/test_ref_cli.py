"""`shumao ref`: lookups by code or name, dated group membership, exchange rates."""

from typer.testing import CliRunner

from shumao.cli.main import app

runner = CliRunner()


def test_lookup_resolves_chinese_short_names_and_codes() -> None:
    result = runner.invoke(app, ["ref", "lookup", "江苏"])
    assert result.exit_code == 0, result.output
    assert "320000" in result.output and "江苏省" in result.output
    result = runner.invoke(app, ["ref", "lookup", "USA"])
    assert "美国" in result.output


def test_lookup_unknown_fails_with_bilingual_message() -> None:
    result = runner.invoke(app, ["ref", "lookup", "火星"])
    assert result.exit_code == 1
    assert "未找到 / not found" in result.output


def test_lookup_of_a_name_of_two_cities_lists_both() -> None:
    """ "Suzhou" is 苏州 and 宿州: both rows (it said "not found" before); the province picks."""
    wide = {"COLUMNS": "160"}
    result = runner.invoke(app, ["ref", "lookup", "Suzhou"], env=wide)
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "同名" in line]
    assert len(rows) == 2
    assert "320500" in rows[0] and "江苏省苏州市" in rows[0] and "Suzhou, Jiangsu" in rows[0]
    assert "341300" in rows[1] and "安徽省宿州市" in rows[1] and "Suzhou, Anhui" in rows[1]
    picked = runner.invoke(app, ["ref", "lookup", "Suzhou (Anhui)"], env=wide).output
    assert "341300" in picked and "320500" not in picked


def test_brics_membership_is_dated() -> None:
    assert "· 5" in runner.invoke(app, ["ref", "members", "BRICS", "--as-of", "2023"]).output
    assert "· 9" in runner.invoke(app, ["ref", "members", "金砖国家", "--as-of", "2024"]).output


def test_fx_table_shows_the_2022_rate() -> None:
    result = runner.invoke(app, ["ref", "fx"])
    assert "6.7261" in result.output
