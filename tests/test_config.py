"""The one settings object: every option documented; unsafe production settings refused."""

import pytest

from shumao.config import Settings
from shumao.errors import ConfigError


def test_every_setting_has_a_bilingual_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert "/" in field.description, f"{name}: description needs Chinese / English"


def test_database_url_defaults_to_sqlite_in_data_dir(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="")
    assert settings.effective_database_url == f"sqlite:///{tmp_path.resolve()}/shumao.db"


def test_database_url_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("SHUMAO_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/x")
    assert Settings().effective_database_url == "postgresql+psycopg://u@127.0.0.1/x"


def test_production_refuses_the_placeholder_secret() -> None:
    with pytest.raises(ConfigError, match="SHUMAO_SECRET_KEY"):
        Settings(environment="production")
    assert Settings(environment="production", secret_key="s3cret-from-vault").secret_key
