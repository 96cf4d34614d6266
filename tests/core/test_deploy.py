from __future__ import annotations

import subprocess
import sys

from django.apps import apps
from django.contrib import admin


def test_production_settings_pass_check_deploy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        "PATH": "/usr/bin:/bin",
        "OPENSPM_ENV": "production",
        "OPENSPM_SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
        "OPENSPM_DATA_DIR": str(tmp_path),
        "OPENSPM_ALLOWED_HOSTS": '["spm.example.com"]',
    }
    result = subprocess.run(
        [sys.executable, "-m", "openspm", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"PATH": "/usr/bin:/bin", "OPENSPM_ENV": "production", "OPENSPM_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "openspm", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "OPENSPM_SECRET_KEY" in result.stderr


def test_every_model_of_ours_is_in_the_admin() -> None:
    ours = [
        model
        for model in apps.get_models()
        if model.__module__.startswith("openspm.") and not model.__name__.startswith("Historical")
    ]
    missing = [m.__name__ for m in ours if not admin.site.is_registered(m)]
    inline_only = {
        "TeamMembership",
        "CreditSplit",
        "DisputeComment",
        "ProgramTier",
        "FraudSignal",
        "RateCounter",  # a technical counter behind the public pages' rate limits
        "TerritoryRule",
        "TerritoryMember",
        "NamedAccount",
    }
    assert sorted(set(missing) - inline_only) == []


def _email_backend(env: dict[str, str]) -> str:
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    result = subprocess.run(
        [sys.executable, "-m", "openspm", "shell", "-c", code],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().rsplit(".", 2)[-2]


def test_email_is_printed_in_development_and_sent_by_smtp_in_production(tmp_path) -> None:  # type: ignore[no-untyped-def]
    development = {"OPENSPM_DATA_DIR": str(tmp_path)}
    production = {
        **development,
        "OPENSPM_ENV": "production",
        "OPENSPM_SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
    }
    assert _email_backend(development) == "console"
    assert _email_backend({**development, "OPENSPM_EMAIL_BACKEND": "smtp"}) == "smtp"
    assert _email_backend(production) == "smtp"
    assert _email_backend({**production, "OPENSPM_EMAIL_BACKEND": "console"}) == "console"
