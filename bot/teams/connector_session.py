"""One HTTP session to the Bot Connector, opened on first use and closed once."""

from __future__ import annotations

import aiohttp


class ConnectorSession:
    """An aiohttp session with a total timeout per request, opened when first needed (and
    again after it was closed); statuses are read by the caller, never raised."""

    def __init__(self, timeout_seconds: float) -> None:
        self._timeout_seconds = timeout_seconds
        self._session: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        """The open session."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout_seconds),
                raise_for_status=False,
            )
        return self._session

    async def close(self) -> None:
        """Close the session (a later request opens a new one)."""
        if self._session is not None:
            await self._session.close()
            self._session = None
