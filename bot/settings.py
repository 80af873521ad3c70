"""Settings read from environment variables and an optional .env file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///data/kompas.db"


class SettingsError(ValueError):
    """A setting has a value Kompas cannot use."""


def _split(value: str | None) -> frozenset[str]:
    if not value:
        return frozenset()
    return frozenset(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Contacts:
    """Contact points named in the guideline content; empty means not filled in yet."""

    dpo: str = ""
    it_security: str = ""
    ambassadors: str = ""


@dataclass(frozen=True)
class Settings:
    """Everything Kompas can be configured with. Build with Settings.from_env()."""

    app_id: str = ""
    app_password: str = ""
    app_tenant_id: str = ""
    app_type: str = "MultiTenant"
    allowed_tenants: frozenset[str] = frozenset()
    database_url: str = DEFAULT_DATABASE_URL
    content_dir: Path = PROJECT_ROOT / "content"
    timezone: str = "Europe/Copenhagen"
    public_host: str = ""
    ambassadors_conversation: str = ""
    contacts: Contacts = field(default_factory=Contacts)
    log_level: str = "INFO"
    # Test / sovereign-cloud only: where inbound Bot Framework JWT signing keys are published.
    openid_metadata_url: str = ""

    @property
    def has_credentials(self) -> bool:
        """True when Bot Framework credentials are configured (JWTs are then validated)."""
        return bool(self.app_id)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = None
    ) -> Settings:
        """Read settings from `environ` (default os.environ) over an optional .env file."""
        values: dict[str, str] = {}
        dotenv_path = env_file if env_file is not None else Path.cwd() / ".env"
        if dotenv_path.is_file():
            values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
        values.update(os.environ if environ is None else environ)

        def get(name: str, default: str = "") -> str:
            return values.get(name, default).strip()

        content_dir = get("KOMPAS_CONTENT_DIR")
        app_type = get("MICROSOFT_APP_TYPE", "MultiTenant") or "MultiTenant"
        if app_type not in {"MultiTenant", "SingleTenant", "UserAssignedMSI"}:
            raise SettingsError(
                f"MICROSOFT_APP_TYPE={app_type!r}: use MultiTenant, SingleTenant or UserAssignedMSI"
            )
        settings = cls(
            app_id=get("MICROSOFT_APP_ID"),
            app_password=get("MICROSOFT_APP_PASSWORD"),
            app_tenant_id=get("MICROSOFT_APP_TENANT_ID"),
            app_type=app_type,
            allowed_tenants=_split(get("KOMPAS_ALLOWED_TENANTS")),
            database_url=get("DATABASE_URL", DEFAULT_DATABASE_URL) or DEFAULT_DATABASE_URL,
            content_dir=Path(content_dir) if content_dir else PROJECT_ROOT / "content",
            timezone=get("KOMPAS_TIMEZONE", "Europe/Copenhagen") or "Europe/Copenhagen",
            public_host=get("KOMPAS_PUBLIC_HOST"),
            ambassadors_conversation=get("KOMPAS_AMBASSADORS_CONVERSATION"),
            contacts=Contacts(
                dpo=get("KOMPAS_CONTACT_DPO"),
                it_security=get("KOMPAS_CONTACT_IT_SECURITY"),
                ambassadors=get("KOMPAS_CONTACT_AMBASSADORS"),
            ),
            log_level=get("KOMPAS_LOG_LEVEL", "INFO") or "INFO",
            openid_metadata_url=get("KOMPAS_OPENID_METADATA_URL"),
        )
        if settings.app_type == "SingleTenant" and settings.app_id and not settings.app_tenant_id:
            raise SettingsError("MICROSOFT_APP_TYPE=SingleTenant needs MICROSOFT_APP_TENANT_ID")
        return settings

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields changed (used by tests and the CLI)."""
        return replace(self, **changes)  # type: ignore[arg-type]
