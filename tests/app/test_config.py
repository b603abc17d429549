import pytest

from bot.config import ConfigError, load_settings


def test_defaults() -> None:
    s = load_settings(_env_file=None)
    assert s.database_url == "sqlite+aiosqlite:///./loa.db"
    assert s.language == "vi" and s.timezone == "Asia/Ho_Chi_Minh"
    assert s.telegram_api_url == "https://api.telegram.org"


def test_admin_ids_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_ADMIN_IDS", "12, 34")
    assert load_settings(_env_file=None).admin_ids == [12, 34]


@pytest.mark.parametrize(
    ("var", "value", "named"),
    [
        ("LOA_BOT_TOKEN", "not-a-token", "LOA_BOT_TOKEN"),
        ("LOA_ADMIN_IDS", "12,abc", "LOA_ADMIN_IDS"),
        ("LOA_TIMEZONE", "Mars/Olympus", "LOA_TIMEZONE"),
        ("LOA_WEB_PORT", "99999", "LOA_WEB_PORT"),
        ("LOA_DATABASE_URL", "mysql://x", "LOA_DATABASE_URL"),
        ("LOA_WEBHOOK_URL", "https://example.org", "LOA_WEBHOOK_SECRET"),
    ],
)
def test_invalid_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, var: str, value: str, named: str
) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError) as exc:
        load_settings(_env_file=None)
    assert named in str(exc.value)


def test_plain_postgres_url_gets_async_driver() -> None:
    s = load_settings(_env_file=None, database_url="postgresql://u@h/db")
    assert s.database_url == "postgresql+asyncpg://u@h/db"
