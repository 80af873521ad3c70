"""What the scripts look for in messages and in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import yaml
from sqlalchemy import select

from ground.clock import format_date
from storage.database import Database
from storage.models_outbox import OutboxRow
from tests.e2e.driver import Someone
from tests.e2e.views import Pick, Received
from tests.paths import PROJECT_ROOT

METTE = Someone("mette", "Mette Jensen", "mette.jensen@test.example")


@dataclass(frozen=True)
class Guideline:
    """A topic of the AI-kompas as its file in content/kompas says it."""

    title: str
    reviewed: date

    @property
    def review_date(self) -> str:
        return format_date(self.reviewed)


def guideline(topic_id: str) -> Guideline:
    """The title and review date written in content/kompas/<topic_id>.md's front matter."""
    text = (PROJECT_ROOT / "content" / "kompas" / f"{topic_id}.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    return Guideline(str(front["title"]), front["reviewed"])


def titled(title: str) -> Pick:
    return lambda message: message.title == title


def with_button(title: str) -> Pick:
    return lambda message: any(button.startswith(title) for button in message.buttons)


def saying(text: str) -> Pick:
    return lambda message: text in message.text


def to(person: Someone) -> Pick:
    return lambda message: message.to == person.key


def both(first: Pick, second: Pick) -> Pick:
    return lambda message: first(message) and second(message)


def texts_of(messages: list[Received]) -> str:
    return "\n".join(message.text for message in messages)


async def unsent_messages(database: Database) -> list[str]:
    """The keys of outbox messages not (yet) delivered."""
    async with database.transaction() as connection:
        query = select(OutboxRow.key).where(OutboxRow.state != "sent")
        return list((await connection.execute(query)).scalars())
