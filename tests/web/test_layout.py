"""The web layer's shape: thin routes (no SQL, no statistics), one data-access function."""

from __future__ import annotations

from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "src" / "shumao" / "web"


def test_routes_hold_no_sql_and_no_statistics() -> None:
    for path in (WEB / "routes").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for word in (
            "import sqlalchemy",
            "from sqlalchemy",
            "select(",
            "import polars",
            "storage import vintages",
            "shumao.compute",
            "shumao.access",
        ):
            assert word not in text, f"{path.name} uses {word}"


def test_every_data_read_goes_through_access_read() -> None:
    for path in [*(WEB / "services").glob("*.py"), *(WEB / "routes").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        assert "vintages.read(" not in text, path.name
        assert "query.select(" not in text, path.name


def test_the_app_factory_is_small() -> None:
    assert (
        len(
            (WEB / "app.py")
            .read_text(encoding="utf-8")
            .split("def create_app")[1]
            .split("\ndef ")[0]
            .splitlines()
        )
        < 25
    )


def test_every_message_has_chinese_and_english() -> None:
    """Each messages*.yaml entry is a pair: a comma in an unquoted English text would split it."""
    import yaml

    from shumao.web.i18n import MESSAGES

    for path in [MESSAGES, *MESSAGES.parent.glob("messages_*.yaml")]:
        for key, value in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            assert isinstance(value, list) and len(value) == 2 and all(value), (path.name, key)
