"""Typed settings from the environment (prefix CANHGIAC_) and an optional `.env` file.

Built by the app factory and the CLI, never at import time, so tests can set the environment first.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PROJECT_ROOT", "Settings"]

# The data files (catalogue, intents, provinces) live at the top of the checkout.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything an operator can set. A channel whose secrets are missing is switched off."""

    model_config = SettingsConfigDict(
        env_prefix="CANHGIAC_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
    )

    database_url: str = "sqlite:///./canhgiac.db"
    default_province: str = "can-tho"

    catalog_path: Path = PROJECT_ROOT / "scam_catalog.yaml"
    intents_dir: Path = PROJECT_ROOT / "intents"
    provinces_path: Path = PROJECT_ROOT / "provinces.yaml"

    fb_app_secret: SecretStr | None = None
    fb_verify_token: SecretStr | None = None
    fb_page_token: SecretStr | None = None
    fb_api_base: str = "https://graph.facebook.com/v25.0"
    # Our Messenger app's id: an echo sent by another app (the Page inbox) is an officer answering.
    fb_app_id: str | None = None
    # With it set, a citizen asking for a person is also passed to this app (the Page inbox is
    # 263902037430900) through the handover protocol.
    fb_handover_target_app_id: str | None = None

    zalo_app_id: str | None = None
    zalo_app_secret: SecretStr | None = None
    zalo_oa_secret: SecretStr | None = None
    zalo_access_token: SecretStr | None = None
    zalo_refresh_token: SecretStr | None = None
    zalo_api_base: str = "https://openapi.zalo.me"
    zalo_oauth_base: str = "https://oauth.zaloapp.com"
    # Send quick replies as `oa.query.show` buttons (the text + buttons shape is not in Zalo's own
    # documentation: off by default; a rejected send is retried as text with the typed options).
    zalo_buttons: bool = False
    # Content of the Zalo domain-verification meta tag / file name, when the app is being verified.
    zalo_site_verification: str | None = None

    admin_token: SecretStr | None = None
    # Key for pseudonymising reporter ids in exports; falls back to the admin token, then a fixed key.
    pseudonym_key: SecretStr | None = None

    # Pictures citizens send are fetched only from these hosts (or their subdomains): the platforms'
    # CDNs. Comma-separated. A link to any other host is never fetched.
    media_hosts: str = "fbcdn.net,fbsbx.com,facebook.com,zadn.vn,zdn.vn,zalo.me,zaloapp.com"
    media_max_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    # Screenshots read at once (each runs two Tesseract processes); more wait, a few at most.
    ocr_workers: int = Field(default=2, ge=1)

    # Tips one reporter may file per Vietnam day; past it the citizen is told to call the hotline.
    tips_per_reporter_per_day: int = 5

    log_level: str = "INFO"

    # "development" turns on the interactive API docs (/docs, /redoc, /openapi.json).
    env: str = "production"
    # Bearer token for /metrics; without it /metrics is served to loopback clients only.
    metrics_token: SecretStr | None = None
    # Web chat: requests per minute per client network address and per session cookie (0: no limit).
    web_rate_per_minute: int = Field(default=30, ge=0)
    # Zalo events whose `timestamp` is older than this are acknowledged and ignored.
    zalo_max_event_age_seconds: int = Field(default=3600, gt=0)
    # uvicorn: connections served at once before new ones get a 503, and idle keep-alive seconds.
    limit_concurrency: int = Field(default=1000, gt=0)
    timeout_keep_alive: int = Field(default=5, gt=0)
    # Addresses whose X-Forwarded-For / X-Forwarded-Proto are trusted (the reverse proxy).
    forwarded_allow_ips: str = "127.0.0.1"

    # Officer console: how long a sign-in lasts, and how long an account stays locked after
    # `console_lockout_attempts` wrong passwords within `console_lockout_window_minutes`.
    console_session_hours: int = Field(default=12, gt=0)
    console_lockout_attempts: int = Field(default=5, gt=0)
    console_lockout_window_minutes: int = Field(default=5, gt=0)
    console_lockout_minutes: int = Field(default=15, gt=0)
    # Human handoff: a conversation an officer took goes back to the bot after this long without an
    # officer message.
    handoff_timeout_minutes: float = Field(default=60, gt=0)
    # Send replies from a process of its own (beside each web worker), so platform calls use another
    # core. Unset: on under `canhgiac serve`, off for an app built in-process (tests).
    delivery_process: bool | None = None
