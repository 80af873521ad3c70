"""What a store needs when a person takes back a text that may already be published."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncConnection


class QuoteScrubber(Protocol):
    """Removes texts from everything already published, in the caller's transaction."""

    async def __call__(self, connection: AsyncConnection, texts: Sequence[str]) -> None: ...
