"""Settings read from environment variables and an optional .env file."""

from __future__ import annotations

import importlib.resources
import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path

from dotenv import dotenv_values

from ground.channel_descriptions import SLACK_NAME
from ground.channel_settings import SlackSettings, TeamsSettings
from ground.env_values import (
    SettingsError,
    parse_clock,
    parse_int,
    parse_seconds,
    parse_split,
)
from ground.operations_settings import OperationsSettings, RetentionSettings

DEFAULT_DATABASE_URL = "sqlite:///data/kompas.db"
DEFAULT_CACHE_DIR = Path("data/cache")  # the built knowledge index, per content version
CACHE_OFF = ("off", "none", "0")
# Leaders' digests: fewest distinct people behind any figure, and behind anything from free text.
DEFAULT_MIN_GROUP = 5
SMALLEST_MIN_GROUP = 3  # below this no figure is anonymous in any useful sense
DEFAULT_MIN_TEXT_GROUP = 10
# Until well after the next month's digest day (digest days of two months can be ~40 days apart).
DEFAULT_DIGEST_LINK_DAYS = 45
DEFAULT_CASE_NUDGE_HOURS = 8  # one working day
DEFAULT_CASE_ESCALATE_DAYS = 5


@dataclass(frozen=True)
class Contacts:
    """Contact points named in the guideline content; empty means not filled in yet."""

    dpo: str = ""
    it_security: str = ""
    ambassadors: str = ""


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class ScheduleSettings:
    """When campaigns, reminders and pilot check-ins happen (all in Settings.timezone)."""

    campaign_weekday: int = 1  # 0 = Monday; default the first Tuesday of the month
    campaign_occurrence: int = 1
    campaign_time: time = time(9, 30)
    working_hours_start: time = time(8, 0)
    working_hours_end: time = time(16, 0)
    reminder_after_working_days: int = 3
    campaign_window_working_days: int = 10
    enabled: bool = True  # KOMPAS_SCHEDULER=off runs no scheduler in this process
    # KOMPAS_CAMPAIGN_AUDIENCE: the teams (names, folded, or ids) whose members the campaign
    # asks; empty means everyone Kompas can reach.
    campaign_teams: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, get: Callable[[str, str], str]) -> ScheduleSettings:
        """Read the KOMPAS_CAMPAIGN_*, KOMPAS_WORKING_HOURS and KOMPAS_REMINDER_* variables."""
        weekday = get("KOMPAS_CAMPAIGN_WEEKDAY", "tue").lower()[:3]
        if weekday not in WEEKDAYS:
            raise SettingsError(f"KOMPAS_CAMPAIGN_WEEKDAY={weekday!r}: use mon, tue, … sun")
        hours = get("KOMPAS_WORKING_HOURS", "08:00-16:00")
        start, _, end = hours.partition("-")
        opening = parse_clock("KOMPAS_WORKING_HOURS", start.strip())
        closing = parse_clock("KOMPAS_WORKING_HOURS", end.strip())
        if closing <= opening:
            raise SettingsError(f"KOMPAS_WORKING_HOURS={hours!r}: the end must be after the start")
        occurrence = parse_int(
            "KOMPAS_CAMPAIGN_OCCURRENCE", get("KOMPAS_CAMPAIGN_OCCURRENCE", ""), 1, 1
        )
        if occurrence > 4:
            raise SettingsError("KOMPAS_CAMPAIGN_OCCURRENCE must be 1, 2, 3 or 4")
        scheduler = get("KOMPAS_SCHEDULER", "on").lower()
        if scheduler not in {"on", "off"}:
            raise SettingsError(f"KOMPAS_SCHEDULER={scheduler!r}: use on or off")
        return cls(
            campaign_weekday=WEEKDAYS.index(weekday),
            campaign_occurrence=occurrence,
            campaign_time=parse_clock("KOMPAS_CAMPAIGN_TIME", get("KOMPAS_CAMPAIGN_TIME", "09:30")),
            working_hours_start=opening,
            working_hours_end=closing,
            reminder_after_working_days=parse_int(
                "KOMPAS_REMINDER_AFTER_DAYS", get("KOMPAS_REMINDER_AFTER_DAYS", ""), 3, 1
            ),
            campaign_window_working_days=parse_int(
                "KOMPAS_CAMPAIGN_WINDOW_DAYS", get("KOMPAS_CAMPAIGN_WINDOW_DAYS", ""), 10, 1
            ),
            enabled=scheduler == "on",
            campaign_teams=parse_audience(get("KOMPAS_CAMPAIGN_AUDIENCE", "")),
        )


AUDIENCE_EVERYONE = ("", "everyone", "alle")
AUDIENCE_TEAMS_PREFIX = "teams:"


def parse_audience(value: str) -> frozenset[str]:
    """KOMPAS_CAMPAIGN_AUDIENCE: `everyone` (default) or `teams:Navn A,Navn B` (team names or
    ids, separated by commas), as the folded names; empty for everyone."""
    text = value.strip()
    if text.casefold() in AUDIENCE_EVERYONE:
        return frozenset()
    if not text.casefold().startswith(AUDIENCE_TEAMS_PREFIX):
        raise SettingsError(
            f"KOMPAS_CAMPAIGN_AUDIENCE={value!r}: use everyone, or teams: followed by team names "
            "separated by commas (teams:Borgerservice,Team IT)"
        )
    names = frozenset(
        name.strip().casefold()
        for name in text[len(AUDIENCE_TEAMS_PREFIX) :].split(",")
        if name.strip()
    )
    if not names:
        raise SettingsError(f"KOMPAS_CAMPAIGN_AUDIENCE={value!r}: name at least one team")
    return names


@dataclass(frozen=True)
class DeliverySettings:
    """How the outbox sender paces and retries proactive messages."""

    rate_per_second: float = 30.0  # overall, per app (Teams: about 30 requests/s per tenant)
    concurrency: int = 8
    max_attempts: int = 8
    lease_seconds: int = 120

    @classmethod
    def parse(cls, get: Callable[[str, str], str]) -> DeliverySettings:
        """Read the KOMPAS_OUTBOX_* variables."""
        rate_text = get("KOMPAS_OUTBOX_RATE", "30")
        try:
            rate = float(rate_text)
        except ValueError as error:
            raise SettingsError(f"KOMPAS_OUTBOX_RATE={rate_text!r}: expected a number") from error
        if rate <= 0:
            raise SettingsError("KOMPAS_OUTBOX_RATE must be above 0")
        return cls(
            rate_per_second=rate,
            concurrency=parse_int(
                "KOMPAS_OUTBOX_CONCURRENCY", get("KOMPAS_OUTBOX_CONCURRENCY", ""), 8, 1
            ),
            max_attempts=parse_int(
                "KOMPAS_OUTBOX_MAX_ATTEMPTS", get("KOMPAS_OUTBOX_MAX_ATTEMPTS", ""), 8, 1
            ),
            lease_seconds=parse_int(
                "KOMPAS_OUTBOX_LEASE_SECONDS", get("KOMPAS_OUTBOX_LEASE_SECONDS", ""), 120, 5
            ),
        )


@dataclass(frozen=True)
class ServerSettings:
    """Limits of `kompas serve`'s HTTP server against slow or many clients."""

    header_timeout: float = 15.0  # a request line and headers (and keep-alive idle time)
    body_timeout: float = 20.0  # the whole body of a POST /api/messages
    max_connections: int = 1000  # open connections at once (also capped by `ulimit -n`)

    @classmethod
    def parse(cls, get: Callable[[str, str], str]) -> ServerSettings:
        """Read the KOMPAS_*_TIMEOUT variables and KOMPAS_MAX_CONNECTIONS."""
        return cls(
            header_timeout=parse_seconds(
                "KOMPAS_HEADER_TIMEOUT", get("KOMPAS_HEADER_TIMEOUT", ""), cls.header_timeout
            ),
            body_timeout=parse_seconds(
                "KOMPAS_BODY_TIMEOUT", get("KOMPAS_BODY_TIMEOUT", ""), cls.body_timeout
            ),
            max_connections=parse_int(
                "KOMPAS_MAX_CONNECTIONS", get("KOMPAS_MAX_CONNECTIONS", ""), cls.max_connections, 2
            ),
        )


@dataclass(frozen=True)
class Settings:
    """Everything Kompas can be configured with. Build with Settings.from_env()."""

    teams: TeamsSettings = field(default_factory=TeamsSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    database_url: str = DEFAULT_DATABASE_URL
    content_dir: Path = field(default_factory=lambda: default_content_dir())
    # KOMPAS_CACHE_DIR: where the built knowledge index is kept (None: built at every start).
    cache_dir: Path | None = DEFAULT_CACHE_DIR
    timezone: str = "Europe/Copenhagen"
    public_host: str = ""
    ambassadors_conversation: str = ""
    # Conversations the monthly "Det har vi lært" post is posted in instead of to each person.
    learning_channels: frozenset[str] = frozenset()
    contacts: Contacts = field(default_factory=Contacts)
    log_level: str = "INFO"
    # AI-ambassadors by Teams user id, AAD object id or CLI user name (roles refined later).
    ambassadors: frozenset[str] = frozenset()
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    min_group: int = DEFAULT_MIN_GROUP
    min_text_group: int = DEFAULT_MIN_TEXT_GROUP
    # Signs the expiring links to digest pages; empty: a generated key kept in the database.
    link_secret: str = ""
    # How long a digest link opens its page (anyone holding the link can open it meanwhile).
    digest_link_days: int = DEFAULT_DIGEST_LINK_DAYS
    # The ambassadors' desk: a case nobody took gets one reminder after this many working
    # hours; a case still open after this many working days goes to the topic's owner.
    case_nudge_hours: int = DEFAULT_CASE_NUDGE_HOURS
    case_escalate_days: int = DEFAULT_CASE_ESCALATE_DAYS
    operations: OperationsSettings = field(default_factory=OperationsSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)

    def ambassadors_conversation_on(self, channel: str) -> str:
        """Where questions for the AI-ambassadors go on `channel` ("" when nowhere): Slack's
        KOMPAS_SLACK_AMBASSADORS_CHANNEL, else KOMPAS_AMBASSADORS_CONVERSATION."""
        if channel == SLACK_NAME:
            return self.slack.ambassadors_channel
        return self.ambassadors_conversation

    def is_ambassador(self, *identities: str | None) -> bool:
        """True when any of a person's ids is configured as an AI-ambassador."""
        return any(identity in self.ambassadors for identity in identities if identity)

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
        cache_dir = get("KOMPAS_CACHE_DIR") or str(DEFAULT_CACHE_DIR)
        settings = cls(
            teams=TeamsSettings.parse(get),
            slack=SlackSettings.parse(get),
            database_url=get("DATABASE_URL", DEFAULT_DATABASE_URL) or DEFAULT_DATABASE_URL,
            content_dir=Path(content_dir) if content_dir else default_content_dir(),
            cache_dir=None if cache_dir.lower() in CACHE_OFF else Path(cache_dir),
            timezone=get("KOMPAS_TIMEZONE", "Europe/Copenhagen") or "Europe/Copenhagen",
            public_host=get("KOMPAS_PUBLIC_HOST"),
            ambassadors_conversation=get("KOMPAS_AMBASSADORS_CONVERSATION"),
            learning_channels=parse_split(get("KOMPAS_LEARNING_CHANNELS")),
            contacts=Contacts(
                dpo=get("KOMPAS_CONTACT_DPO"),
                it_security=get("KOMPAS_CONTACT_IT_SECURITY"),
                ambassadors=get("KOMPAS_CONTACT_AMBASSADORS"),
            ),
            log_level=get("KOMPAS_LOG_LEVEL", "INFO") or "INFO",
            ambassadors=parse_split(get("KOMPAS_AMBASSADORS")),
            schedule=ScheduleSettings.parse(get),
            delivery=DeliverySettings.parse(get),
            server=ServerSettings.parse(get),
            min_group=parse_int(
                "KOMPAS_MIN_GROUP", get("KOMPAS_MIN_GROUP"), DEFAULT_MIN_GROUP, SMALLEST_MIN_GROUP
            ),
            min_text_group=parse_int(
                "KOMPAS_MIN_TEXT_GROUP",
                get("KOMPAS_MIN_TEXT_GROUP"),
                DEFAULT_MIN_TEXT_GROUP,
                SMALLEST_MIN_GROUP,
            ),
            link_secret=get("KOMPAS_LINK_SECRET"),
            digest_link_days=parse_int(
                "KOMPAS_DIGEST_LINK_DAYS",
                get("KOMPAS_DIGEST_LINK_DAYS"),
                DEFAULT_DIGEST_LINK_DAYS,
                1,
            ),
            case_nudge_hours=parse_int(
                "KOMPAS_CASE_NUDGE_HOURS",
                get("KOMPAS_CASE_NUDGE_HOURS"),
                DEFAULT_CASE_NUDGE_HOURS,
                1,
            ),
            case_escalate_days=parse_int(
                "KOMPAS_CASE_ESCALATE_DAYS",
                get("KOMPAS_CASE_ESCALATE_DAYS"),
                DEFAULT_CASE_ESCALATE_DAYS,
                1,
            ),
            operations=OperationsSettings.parse(get),
            retention=RetentionSettings.parse(get),
        )
        if settings.min_text_group < settings.min_group:
            raise SettingsError(
                f"KOMPAS_MIN_TEXT_GROUP={settings.min_text_group} must be at least "
                f"KOMPAS_MIN_GROUP={settings.min_group}"
            )
        return settings

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields changed (used by tests and the CLI)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 / ::1."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ContentMissingError(SettingsError):
    """The content directory holds no AI-kompas: Kompas would answer nothing."""


def default_content_dir() -> Path:
    """The sample content shipped inside Kompas (the `content` package).

    The one place the default is decided: an editable install finds the source tree's
    content/, a wheel or container install the copy installed beside the code. Set
    KOMPAS_CONTENT_DIR to use a municipality's own content instead.
    """
    return Path(str(importlib.resources.files("content")))


def require_content(content_dir: Path) -> None:
    """Refuse to go on without topics in content/kompas and templates in content/templates."""
    topics = content_dir / "kompas"
    has_topics = topics.is_dir() and any(topics.glob("*.md"))
    has_templates = (content_dir / "templates").is_dir()
    if not (has_topics and has_templates):
        raise ContentMissingError(
            f"no AI-kompas content in {content_dir} (expected kompas/*.md and templates/): "
            "set KOMPAS_CONTENT_DIR to the folder with your content"
        )
