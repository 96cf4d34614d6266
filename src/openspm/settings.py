"""Django settings. The only module that reads the environment (prefix `OPENSPM_`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import dj_database_url
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

BASE_DIR = Path(__file__).resolve().parent


class Env(BaseSettings):
    """Environment variables, validated once at start-up."""

    model_config = SettingsConfigDict(env_prefix="OPENSPM_", extra="ignore")

    env: Literal["development", "production"] = "development"
    data_dir: Path = Path.cwd() / "var"
    secret_key: str = ""
    allowed_hosts: list[str] = Field(default_factory=lambda: ["127.0.0.1", "localhost", "[::1]"])
    csrf_trusted_origins: list[str] = Field(default_factory=list)
    database_url: str = Field(default="", validation_alias="DATABASE_URL")
    email_backend: Literal["smtp", "console"] | None = None
    email_host: str = "127.0.0.1"
    email_port: int = 25
    default_from_email: str = "openspm@localhost"
    base_currency: str = "USD"
    secure_ssl_redirect: bool = True
    referral_webhook_secret: str = ""
    site_url: str = "http://localhost:8000"


ENV = Env()
DEVELOPMENT = ENV.env == "development"

if not ENV.secret_key and not DEVELOPMENT:
    raise RuntimeError("OPENSPM_SECRET_KEY must be set when OPENSPM_ENV=production")
SECRET_KEY = ENV.secret_key or "development-only-key-" + "x" * 40
DEBUG = DEVELOPMENT
ALLOWED_HOSTS = ENV.allowed_hosts if not DEVELOPMENT else [*ENV.allowed_hosts, "testserver"]
CSRF_TRUSTED_ORIGINS = ENV.csrf_trusted_origins
DATA_DIR = ENV.data_dir
RUN_ARCHIVE_DIR = DATA_DIR / "runs"
# Whitenoise serves STATIC_ROOT and warns when it is missing; make it exist before the first run.
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
BASE_CURRENCY = ENV.base_currency
OPENSPM_REFERRAL_WEBHOOK_SECRET = ENV.referral_webhook_secret
# Scheme, host (and port, path prefix) of the site, for absolute links in emails.
SITE_URL = ENV.site_url.rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "openspm.core",
    "openspm.org",
    "openspm.sales",
    "openspm.territories",
    "openspm.quotas",
    "openspm.plans",
    "openspm.comp",
    "openspm.referrals",
    "openspm.imports",
    # After our imports app: its `import`/`export` commands win over django-import-export's.
    "import_export",
    "openspm.demo",
    "openspm.api",
    "openspm.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "openspm.core.middleware.OpenSPMErrorMiddleware",
]

ROOT_URLCONF = "openspm.urls"
WSGI_APPLICATION = "openspm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openspm.web.context_processors.navigation",
            ],
        },
    },
]

# Either dj-database-url's DBConfig or our own (its NAME a Path, which Django accepts).
DATABASES: dict[str, Mapping[str, Any]]
if ENV.database_url:
    DATABASES = {"default": dj_database_url.parse(ENV.database_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "openspm.sqlite3",
            # Keep each thread's connection (and its pragmas) across requests.
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # A file, not memory, so tests can start a real worker process on the same data;
            # one per test process, so parallel test runs never share it.
            "TEST": {"NAME": str(DATA_DIR / f"test-openspm-{os.getpid()}.sqlite3")},
        }
    }

AUTH_USER_MODEL = "core.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_USE_FINDERS = DEVELOPMENT
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEVELOPMENT
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# A laptop demo has no mail server: in development e-mails are printed (by the worker that
# sends them) unless OPENSPM_EMAIL_BACKEND=smtp says otherwise; production sends by SMTP.
_SMTP = ENV.email_backend == "smtp" or (ENV.email_backend is None and not DEVELOPMENT)
EMAIL_BACKEND = f"django.core.mail.backends.{'smtp' if _SMTP else 'console'}.EmailBackend"
EMAIL_HOST = ENV.email_host
EMAIL_PORT = ENV.email_port
DEFAULT_FROM_EMAIL = ENV.default_from_email

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 1000
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEVELOPMENT:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = ENV.secure_ssl_redirect
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
