"""docs/cli.md is generated from the code; this fails when a command changed without it."""

from pathlib import Path

from shumao.cli.docs import render
from shumao.cli.main import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(app), (
        "regenerate: python -m shumao.cli.docs > docs/cli.md"
    )


def test_every_command_has_bilingual_help() -> None:
    text = render(app)
    for block in text.split("\n#")[1:]:
        lines = [ln for ln in block.splitlines()[1:] if ln.strip()]
        assert lines, f"command without help: {block.splitlines()[0]}"
