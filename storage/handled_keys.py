"""Claims a key once (welcome per conversation, one submission per card), across processes."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from ground.clock import utc_now
from storage.database import Database
from storage.models_turns import HandledKeyRow

MAX_KEY_LENGTH = 255
# Keys of deliveries a channel may repeat (Slack retries an event for about an hour and a
# half): needed only that long, so the retention job deletes them after EVENT_KEY_DAYS.
EVENT_KEY_PREFIX = "event:"
EVENT_KEY_DAYS = 1


class HandledKeys:
    """INSERT … ON CONFLICT DO NOTHING on handled_keys: the first claim of a key wins."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._insert = postgresql.insert if database.is_postgresql else sqlite.insert

    async def claim(self, key: str, user_id: int | None) -> bool:
        """True the first time `key` is claimed; False ever after (in any process)."""
        if not key or len(key) > MAX_KEY_LENGTH:
            raise ValueError(f"a handled key needs 1 to {MAX_KEY_LENGTH} characters")
        statement = (
            self._insert(HandledKeyRow)
            .values(key=key, user_id=user_id, created_at=utc_now())
            .on_conflict_do_nothing(index_elements=[HandledKeyRow.key])
            .returning(HandledKeyRow.key)
        )
        async with self._database.transaction() as connection:
            claimed = (await connection.execute(statement)).scalar_one_or_none()
        return claimed is not None
