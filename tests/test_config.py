"""Started from any directory, the bot reads the same `.env` and the same database."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import config
from bot.config import ConfigError, Settings


@pytest.fixture
def checkout(tmp_path, monkeypatch) -> Path:
    """A source checkout (bot.py beside pyproject.toml) with its .env, and a cwd elsewhere."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "bot.py").touch()
    (project / "pyproject.toml").touch()
    (project / ".env").write_text("TELEGRAM_BOT_TOKEN=1:from-the-checkout\n")
    monkeypatch.setattr(config, "PACKAGE_ROOT", project)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return project


def test_started_elsewhere_the_bot_uses_the_checkouts_env_and_data(checkout):
    settings = Settings.load(environ={})
    assert settings.env_file == checkout / ".env"
    assert settings.telegram_bot_token == "1:from-the-checkout"
    assert settings.data_dir == checkout / "data"
    assert settings.database_path == checkout / "data" / "bot.db"


def test_a_env_in_the_current_directory_comes_first_and_its_data_sits_beside_it(checkout):
    here = Path.cwd()
    (here / ".env").write_text("TELEGRAM_BOT_TOKEN=1:from-here\n")
    settings = Settings.load(environ={})
    assert settings.telegram_bot_token == "1:from-here"
    assert settings.database_path == here / "data" / "bot.db"


def test_env_file_names_the_file_relative_paths_follow_it_and_the_environment_wins(
    checkout, tmp_path
):
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "bot.env").write_text("DATA_DIR=state\nLOG_LEVEL=debug\nTZ=Asia/Jayapura\n")
    settings = Settings.load(environ={"ENV_FILE": str(etc / "bot.env")})
    assert settings.data_dir == etc / "state"
    assert settings.database_path == etc / "state" / "bot.db"
    assert (settings.log_level, settings.time_zone) == ("DEBUG", "Asia/Jayapura")
    assert settings.telegram_bot_token == ""  # the checkout's .env is not read as well

    overridden = Settings.load(environ={"ENV_FILE": str(etc / "bot.env"), "DATA_DIR": "/srv/x"})
    assert overridden.database_path == Path("/srv/x/bot.db")


def test_an_env_file_that_does_not_exist_is_named(checkout):
    with pytest.raises(ConfigError, match="ENV_FILE is '/nowhere/bot.env', but there is no such"):
        Settings.load(environ={"ENV_FILE": "/nowhere/bot.env"})


def test_an_installed_package_without_env_keeps_data_in_the_current_directory(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(config, "PACKAGE_ROOT", tmp_path / "site-packages")
    monkeypatch.chdir(tmp_path)
    settings = Settings.load(environ={})
    assert settings.env_file is None
    assert settings.database_path == tmp_path / "data" / "bot.db"
