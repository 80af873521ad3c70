"""Sliding-window send limits: a channel's per-conversation windows and its overall rate."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence

from ground.channels import SendLimits, Window

Clock = Callable[[], float]

# How often (in recorded sends) keys that have gone quiet are forgotten.
_SWEEP_EVERY = 1024
_OVERALL = "*"
# Overall sends are spread over tenths of a second rather than bunched at the start of
# each second (a burst of 30 at once is within "30 per second" but rude to the service).
_SMOOTHING_SLICES = 10


# Each window is stretched by this fraction on our side, so that network jitter between
# our clock and the service's does not push a send just across the service's limit.
DEFAULT_HEADROOM = 0.03


def overall_windows(rate_per_second: float) -> tuple[Window, ...]:
    """Windows allowing `rate_per_second` on average, spread evenly within each second."""
    if not rate_per_second > 0:
        raise ValueError("rate_per_second must be above 0")
    limit = max(1, round(rate_per_second))
    whole = Window(limit, limit / rate_per_second)
    slice_limit = max(1, math.ceil(limit / _SMOOTHING_SLICES))
    if slice_limit >= limit:
        return (whole,)
    return (whole, Window(slice_limit, slice_limit / rate_per_second))


class SlidingWindowLimiter:
    """Exact sliding-window limits per key: remembers the latest sends of each key.

    `wait(key)` says how long until one more send would stay within every window;
    `record(key)` counts a send now. Not thread-safe; meant for one asyncio loop.
    """

    def __init__(
        self,
        windows: Sequence[Window],
        *,
        headroom: float = 0.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._windows = tuple((w.limit, w.seconds * (1.0 + headroom)) for w in windows)
        self._memory = max((limit for limit, _ in self._windows), default=1)
        self._horizon = max((seconds for _, seconds in self._windows), default=0.0)
        self._clock = clock
        self._sends: dict[Hashable, deque[float]] = {}
        self._blocked: dict[Hashable, float] = {}
        self._recorded = 0

    def wait(self, key: Hashable) -> float:
        """Seconds until `key` may send again (0.0: now)."""
        now = self._clock()
        ready = self._blocked.get(key, now)
        sends = self._sends.get(key)
        if sends:
            for limit, seconds in self._windows:
                if len(sends) >= limit:
                    ready = max(ready, sends[-limit] + seconds)
        return max(0.0, ready - now)

    def record(self, key: Hashable) -> None:
        """Count one send by `key`, now."""
        sends = self._sends.get(key)
        if sends is None:
            sends = self._sends[key] = deque(maxlen=self._memory)
        sends.append(self._clock())
        self._recorded += 1
        if self._recorded % _SWEEP_EVERY == 0:
            self._forget_quiet_keys()

    def block(self, key: Hashable, seconds: float) -> None:
        """Let `key` send nothing for `seconds` (the service said Retry-After)."""
        until = self._clock() + max(0.0, seconds)
        self._blocked[key] = max(until, self._blocked.get(key, until))

    def __len__(self) -> int:
        """How many keys the limiter currently remembers."""
        return len(self._sends.keys() | self._blocked.keys())

    def _forget_quiet_keys(self) -> None:
        now = self._clock()
        quiet = [key for key, sends in self._sends.items() if sends[-1] + self._horizon <= now]
        for key in quiet:
            del self._sends[key]
        for key in [key for key, until in self._blocked.items() if until <= now]:
            del self._blocked[key]


class DeliveryLimits:
    """One channel's pacing: per-conversation windows plus an overall rate for the app.

    Without windows a conversation is held back only after the service said Retry-After.
    """

    def __init__(
        self,
        rate_per_second: float,
        conversation_windows: Sequence[Window] = (),
        *,
        headroom: float = DEFAULT_HEADROOM,
        clock: Clock = time.monotonic,
    ) -> None:
        self._conversations = SlidingWindowLimiter(
            conversation_windows, headroom=headroom, clock=clock
        )
        self._overall = SlidingWindowLimiter(
            overall_windows(rate_per_second), headroom=headroom, clock=clock
        )

    def conversation_wait(self, conversation: Hashable) -> float:
        """Seconds until this conversation may receive another message."""
        return self._conversations.wait(conversation)

    def overall_wait(self) -> float:
        """Seconds until the app may send anything at all."""
        return self._overall.wait(_OVERALL)

    def record(self, conversation: Hashable) -> None:
        """Count one send to `conversation`, now."""
        self._conversations.record(conversation)
        self._overall.record(_OVERALL)

    def block(self, conversation: Hashable, seconds: float) -> None:
        """Hold back a conversation the service throttled (429 with Retry-After)."""
        self._conversations.block(conversation, seconds)

    def block_all(self, seconds: float) -> None:
        """Hold back every send of the channel (the service throttled the whole app)."""
        self._overall.block(_OVERALL, seconds)


def channel_limits(
    limits: SendLimits, default_rate: float, *, clock: Clock = time.monotonic
) -> DeliveryLimits:
    """The pacing of one channel from its description; its own rate, else `default_rate`."""
    rate = limits.per_second if limits.per_second is not None else default_rate
    return DeliveryLimits(rate, limits.conversation_windows, clock=clock)
