from __future__ import annotations

from django.conf import settings as django_settings
from django.core.management import call_command

from openspm.settings import Env


class TestSettings:
    def test_production_hasher_is_argon2(self) -> None:
        from openspm import settings as module

        assert module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")

    def test_user_model_is_ours(self) -> None:
        assert django_settings.AUTH_USER_MODEL == "core.User"

    def test_env_reads_prefixed_variables(self, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        monkeypatch.setenv("OPENSPM_BASE_CURRENCY", "EUR")
        monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
        env = Env()
        assert env.base_currency == "EUR"
        assert env.database_url == "postgres://u@h/db"

    def test_django_checks_pass(self) -> None:
        call_command("check")
