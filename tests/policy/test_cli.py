"""`shumao policy`: add a folder, search, show, edit, targets, list — as a user runs them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shumao.cli import policy
from shumao.cli.main import app
from shumao.config import get_settings

from .conftest import SEED_FILES, SPECIMENS

if not any(group.name == "policy" for group in app.registered_groups):
    policy.register(app)  # until the lead wires it into shumao.cli.main
runner = CliRunner()


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("SHUMAO_DATABASE_URL", db_url)
    monkeypatch.setenv("SHUMAO_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _run(*args: str) -> str:
    result = runner.invoke(app, ["policy", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.usefixtures("cli")
def test_policy_commands(seeds: Path, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for key in ("000", "001", "002"):
        shutil.copy(seeds / SEED_FILES[key], folder)
    shutil.copy(SPECIMENS / "scanned.pdf", folder)
    added = runner.invoke(app, ["policy", "add", str(folder), "--progress"])
    assert added.exit_code == 2, added.output  # one file refused, the others in
    assert "policy-pdf-no-text" in added.output and "3 收录 added" in added.output
    assert "文号 / document number" in added.output  # 001 states no 文号: said, not guessed

    found = _run("search", "數據跨境", "--level", "中央")
    assert "#2 中共中央办公厅 国务院办公厅关于数字贸易改革创新发展的意见" in found
    assert "（七）促进和规范数据跨境流动" in found
    assert "共 1 个文件" in found

    shown = _run("show", "2")
    assert "（十五）建立完善统计体系" in shown and "2024-08-17" in shown
    assert "not found" in shown  # its 文号

    assert "已更正 / corrected" in _run("edit", "2", "doc_number", "中办发[2024]99号")
    assert "中办发〔2024〕99号" in _run("show", "2")
    bad = runner.invoke(app, ["policy", "edit", "2", "level", "省级"])
    assert bad.exit_code == 1 and "中央、部委、地方" in bad.output

    listed = _run("targets", "--status", "candidate")
    assert "到2029年" in listed and "≥ 45%" in listed
    assert "confirmed" in _run("targets", "--confirm", "1", "--indicator", "DDS_SHARE")
    assert "DDS_SHARE" in _run("targets", "--status", "confirmed")
    assert "商合函〔2021〕355号" in _run("list")


@pytest.mark.usefixtures("cli")
def test_split_and_unsplit_a_wrongly_folded_copy(seeds: Path, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(seeds / SEED_FILES["001"], folder)
    forward = (
        "江苏省商务厅关于转发《中共中央办公厅 国务院办公厅关于数字贸易改革创新发展的意见》的通知\n\n"
        "苏商服贸〔2024〕31号\n\n各设区市商务局：\n\n现将该意见转发给你们，请认真贯彻落实。\n\n"
        "江苏省商务厅\n\n2024年9月2日\n\n"
    )
    (folder / "z_forward.txt").write_text(
        forward + (seeds / SEED_FILES["001"]).read_text(encoding="utf-8"), encoding="utf-8"
    )
    _run("add", str(folder))
    shown = _run("show", "1")
    assert "[2] z_forward.txt" in shown and "shumao policy split" in shown
    split_out = _run("split", "2", "--reason", "转发通知")
    assert "已拆分 / split" in split_out and "#1 → #2" in split_out
    assert "苏商服贸〔2024〕31号" in _run("list")
    assert "已撤销 / undone" in _run("unsplit", "1")
    assert "苏商服贸〔2024〕31号" in _run("list")  # the notice's file is the document's text again
    again = runner.invoke(app, ["policy", "unsplit", "1"])
    assert again.exit_code != 0 and "already undone" in again.output
