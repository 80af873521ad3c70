"""The outbox sender: claims due messages, paces them, sends them and records each outcome.

Delivery is at least once. A message is marked sent only after the channel accepted it;
if the sender dies in between, the row's lease expires and the message is sent again
(the in-doubt rule in delivery.outbox). At most `concurrency` messages are between
"sent" and "recorded" at any moment, so a crash repeats at most that many. While it
runs, the sender renews the leases of the rows it holds every third of the lease, and a
send starts only with at least min(20 s, half the lease) left (it is handed back
otherwise, e.g. when the database was unreachable), so a live sender's claims do not
expire under it.

Pacing: each channel's own limits (delivery.limits), per conversation and overall for the
channel, as its description says (ground.channels); one send at a time per conversation, in
the order the messages were claimed. Outcomes: delivered → sent;
retry → pending again after Retry-After (held for the whole channel when the outcome says
so) or exponential backoff with jitter, failed after
`max_attempts`; gone → the conversation reference is deactivated and the row failed;
rejected → failed. A message that replaces an earlier one waits until that one was
delivered (it then goes in its place), or is posted anew when that one failed. `stop()`
takes no new rows, hands back rows still waiting for their turn, lets sends in flight
finish (bounded), then returns.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable, Hashable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime

from delivery.limits import DeliveryLimits, channel_limits
from delivery.outbox import ClaimedMessage, Outbox
from delivery.payload import PayloadError
from delivery.transport import Destination, OutcomeKind, SendOutcome, Transport
from ground.channel_descriptions import built_in_channels
from ground.channels import Channels
from ground.messages import Reply
from ground.settings import DeliverySettings
from storage.conversation_store import Store
from storage.database import StorageError

logger = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 1.0
DEFAULT_STOP_TIMEOUT_SECONDS = 20.0  # longer than one request's timeout (15 s)
# A message whose conversation may not receive anything for longer than this goes back
# to the outbox until then, instead of holding its lease while it waits.
DEFAULT_MAX_PACING_WAIT_SECONDS = 5.0
# Rows claimed ahead of their turn: about this many seconds of sending at the full rate.
PREFETCH_SECONDS = 1.0
MAX_PREFETCH = 500
# A send starts only with this much of its lease left (at most half the lease), so that
# it is recorded before the lease runs out and no other claim can send it again.
SEND_MARGIN_SECONDS = 20.0
# A message that replaces one still on its way is looked at again after this long.
ORIGINAL_WAIT_SECONDS = 5.0

# A conversation as the sender paces it: (channel, conversation id).
Conversation = tuple[str, str]


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter, for retries the channel gave no Retry-After for.

    Attempt n waits between half and all of min(max_seconds, base_seconds · 2^(n-1)).
    """

    base_seconds: float = 2.0
    max_seconds: float = 600.0

    def delay(self, attempt: int, uniform: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt number `attempt` (1 for the first)."""
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(0, attempt - 1))
        return ceiling / 2 + uniform() * ceiling / 2


@dataclass(frozen=True)
class DrainReport:
    """What a sender did: messages sent, put back for a retry, given up, handed back."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> DrainReport:
        return cls(**{name: counts.get(name, 0) for name in cls.__dataclass_fields__})


class _ConversationTurns:
    """One send at a time per conversation, in the order the messages asked for a turn."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._waiting: Counter[Hashable] = Counter()

    @asynccontextmanager
    async def hold(self, conversation: Hashable) -> AsyncIterator[None]:
        lock = self._locks.setdefault(conversation, asyncio.Lock())
        self._waiting[conversation] += 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[conversation] -= 1
            if not self._waiting[conversation]:
                del self._waiting[conversation]
                del self._locks[conversation]


class OutboxSender:
    """Drains the outbox for the channels it has transports for (see the module docstring).

    Run it in the background with `start()` / `await stop()`, or in the foreground with
    `await run_until_empty()`; `await drain_once()` sends one batch (tests).
    """

    def __init__(
        self,
        outbox: Outbox,
        transports: Mapping[str, Transport],
        settings: DeliverySettings,
        *,
        store: Store,
        limits: Mapping[str, DeliveryLimits] | None = None,
        channels: Channels | None = None,
        backoff: Backoff | None = None,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        stop_timeout_seconds: float = DEFAULT_STOP_TIMEOUT_SECONDS,
        max_pacing_wait_seconds: float = DEFAULT_MAX_PACING_WAIT_SECONDS,
    ) -> None:
        if not transports:
            raise ValueError("an outbox sender needs at least one transport")
        self._outbox = outbox
        self._transports = dict(transports)
        self._channels = tuple(sorted(self._transports))
        self._store = store
        self._max_attempts = settings.max_attempts
        described = channels if channels is not None else built_in_channels()
        given = limits or {}
        self._limits = {
            name: given.get(name)
            or channel_limits(described.of(name).limits, settings.rate_per_second)
            for name in self._channels
        }
        self._backoff = backoff or Backoff()
        self._poll_seconds = poll_seconds
        self._stop_timeout = stop_timeout_seconds
        self._max_pacing_wait = max_pacing_wait_seconds
        self._batch = max(
            settings.concurrency,
            min(MAX_PREFETCH, math.ceil(settings.rate_per_second * PREFETCH_SECONDS)),
        )
        self._send_margin = min(SEND_MARGIN_SECONDS, outbox.lease_seconds / 2)
        self._sending = asyncio.Semaphore(settings.concurrency)
        self._overall_turns = {name: asyncio.Lock() for name in self._channels}
        self._turns = _ConversationTurns()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._wakeup = asyncio.Event()
        self._pumping = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None
        self._counts: Counter[str] = Counter()
        self._held: Counter[str] = Counter()  # lease token → claimed rows still being worked on
        self._lease_until: dict[str, datetime] = {}

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels whose messages this sender claims."""
        return self._channels

    def limits(self, channel: str) -> DeliveryLimits:
        """The pacing of `channel`'s messages (share it with that channel's inline replies)."""
        return self._limits[channel]

    @property
    def report(self) -> DrainReport:
        """Everything this sender has done since it was created."""
        return DrainReport.of(self._counts)

    def start(self) -> None:
        """Drain the outbox in the background until stop() (call inside the event loop)."""
        if self._background is not None:
            raise RuntimeError("the outbox sender is already running")
        self._stopping.clear()
        self._background = asyncio.create_task(self._pump(until_empty=False))
        logger.info("Outbox sender started for %s", ", ".join(self._channels))

    def request_stop(self) -> None:
        """Ask the sender to stop (safe from a signal handler); `stop()` also waits."""
        self._stopping.set()
        self._wakeup.set()

    async def stop(self) -> None:
        """Take no new rows, hand back waiting ones, let sends in flight finish, return."""
        self.request_stop()
        background, self._background = self._background, None
        if background is not None:
            try:
                await asyncio.wait_for(asyncio.shield(background), self._stop_timeout + 5.0)
            except TimeoutError:
                background.cancel()
                logger.error("Outbox sender did not stop in time; cancelled")
        else:
            async with self._pumping:  # a foreground run_until_empty() finishes first
                pass
        logger.info("Outbox sender stopped (%s)", self.report)

    async def run(self) -> DrainReport:
        """Send in the foreground until stop is requested (what start() does in the background)."""
        before = Counter(self._counts)
        await self._pump(until_empty=False)
        return DrainReport.of(self._counts - before)

    async def run_until_empty(self) -> DrainReport:
        """Send until nothing is pending or sending for our channels, or until stop().

        Waits for messages that are not due yet (retries, in-doubt leases, not_before).
        """
        before = Counter(self._counts)
        await self._pump(until_empty=True)
        return DrainReport.of(self._counts - before)

    async def drain_once(self) -> DrainReport:
        """Claim one batch of due messages, send them all, and return what happened."""
        before = Counter(self._counts)
        claimed = await self._outbox.claim(self._channels, limit=self._batch)
        await asyncio.gather(*(self._deliver(message) for message in claimed))
        return DrainReport.of(self._counts - before)

    async def _pump(self, until_empty: bool) -> None:
        async with self._pumping:
            renewing = asyncio.create_task(self._renew_leases())
            try:
                while not self._stopping.is_set():
                    self._wakeup.clear()
                    try:
                        finished = await self._pump_step(until_empty)
                    except Exception:  # keep delivering; the next step may well work
                        logger.exception("Outbox sender step failed")
                        finished = False
                        await self._pause(self._poll_seconds)
                    if finished:
                        return
            finally:
                await self._finish_in_flight()
                renewing.cancel()
                with suppress(asyncio.CancelledError):
                    await renewing

    async def _renew_leases(self) -> None:
        """Keep the claims this sender works on from expiring while they wait their turn."""
        interval = self._outbox.lease_seconds / 3
        while True:
            await asyncio.sleep(interval)
            tokens = list(self._held)
            try:
                until = await self._outbox.extend_leases(tokens)
            except StorageError as error:
                logger.error("Outbox sender cannot renew its leases: %s", error)
                continue
            if until is not None:
                for token in tokens:
                    if token in self._held:
                        self._lease_until[token] = until

    async def _pump_step(self, until_empty: bool) -> bool:
        """Top up the claimed messages, then wait for a reason to look again.

        True when run_until_empty has nothing left to do.
        """
        low_water = self._batch // 2
        starved = False
        if len(self._tasks) <= low_water:
            wanted = self._batch - len(self._tasks)
            try:
                claimed = await self._outbox.claim(self._channels, limit=wanted)
            except StorageError as error:
                logger.error("Outbox sender cannot claim messages: %s", error)
                claimed = []
            for message in claimed:
                task = asyncio.create_task(self._deliver(message))
                self._tasks.add(task)
                task.add_done_callback(self._on_done)
            starved = len(claimed) < wanted
        if self._tasks and not starved:
            await self._wakeup.wait()  # a message finished (or stop)
            return False
        if self._tasks or not until_empty:
            await self._pause(self._poll_seconds)
            return False
        seconds = await self._outbox.seconds_until_due(self._channels)
        if seconds is None:
            return True
        await self._pause(min(self._poll_seconds, max(seconds, 0.05)))
        return False

    def _on_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if len(self._tasks) <= self._batch // 2:
            self._wakeup.set()

    async def _pause(self, seconds: float) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), seconds)

    async def _finish_in_flight(self) -> None:
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=self._stop_timeout)
        for task in late:
            task.cancel()
        if late:
            await asyncio.gather(*late, return_exceptions=True)
            logger.warning(
                "Outbox sender stopped with %d sends unfinished; they are in doubt and will be "
                "sent again when their lease expires",
                len(late),
            )

    async def _deliver(self, message: ClaimedMessage) -> None:
        token = message.lease_token
        self._held[token] += 1
        self._lease_until.setdefault(token, message.lease_expires_at)
        try:
            await self._deliver_claimed(message)
        except StorageError as error:
            logger.error(
                "Outbox: could not record what happened to %s (%s); it is retried when its "
                "lease expires",
                message.key,
                error,
            )
        except Exception:
            logger.exception("Outbox: delivering %s failed unexpectedly", message.key)
        finally:
            self._held[token] -= 1
            if not self._held[token]:
                del self._held[token]
                del self._lease_until[token]

    async def _deliver_claimed(self, message: ClaimedMessage) -> None:
        if message.attempts > self._max_attempts:
            await self._fail(message, f"gave up after {message.attempts - 1} attempts in doubt")
            return
        if message.destination is None:
            await self._fail(
                message, "no active conversation reference (the bot was removed or never added)"
            )
            return
        try:
            reply = message.reply()
        except PayloadError as error:
            await self._fail(message, f"unreadable message: {error}")
            return
        if message.waits_for_original:  # it replaces a message that is not delivered yet
            await self._hand_back(message, ORIGINAL_WAIT_SECONDS)
            return
        conversation = (message.channel, message.conversation_id)
        async with self._turns.hold(conversation):
            wait = await self._wait_for_conversation(conversation)
            if wait is not None:
                await self._hand_back(message, wait)
                return
            async with self._sending:
                if not await self._take_overall_turn(conversation) or not self._lease_holds(
                    message
                ):
                    await self._hand_back(message)
                    return
                outcome = await self._send(message, message.destination, reply)
                await self._settle(message, conversation, outcome)

    async def _wait_for_conversation(self, conversation: Conversation) -> float | None:
        """Wait until the conversation may receive a message (None); else seconds to defer."""
        while not self._stopping.is_set():
            wait = self._limits[conversation[0]].conversation_wait(conversation)
            if wait <= 0:
                return None
            if wait > self._max_pacing_wait:
                return wait
            await self._sleep_unless_stopping(wait)
        return 0.0

    async def _take_overall_turn(self, conversation: Conversation) -> bool:
        """Wait for the channel's overall rate, then count the send; False when stopping."""
        limits = self._limits[conversation[0]]
        async with self._overall_turns[conversation[0]]:
            while (wait := limits.overall_wait()) > 0:
                if await self._sleep_unless_stopping(wait):
                    return False
            if self._stopping.is_set():
                return False
            limits.record(conversation)
            return True

    def _lease_holds(self, message: ClaimedMessage) -> bool:
        """True when enough of the claim is left to send and record before it expires."""
        until = self._lease_until.get(message.lease_token, message.lease_expires_at)
        return (until - self._outbox.now()).total_seconds() >= self._send_margin

    async def _hand_back(self, message: ClaimedMessage, delay: float = 0.0) -> None:
        if await self._outbox.release(message, delay):
            self._counts["released"] += 1

    async def _sleep_unless_stopping(self, seconds: float) -> bool:
        """Sleep; True (early) when the sender is stopping."""
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def _send(
        self, message: ClaimedMessage, destination: Destination, reply: Reply
    ) -> SendOutcome:
        try:
            return await self._transports[message.channel].send(destination, reply)
        except Exception as error:  # a transport bug; retried like a transient failure
            logger.exception("Outbox: transport for %s raised", message.channel)
            return SendOutcome.retry(f"unexpected error: {type(error).__name__}: {error}")

    async def _settle(
        self, message: ClaimedMessage, conversation: Conversation, outcome: SendOutcome
    ) -> None:
        if outcome.kind is OutcomeKind.DELIVERED:
            if await self._outbox.mark_sent(message, outcome.message_id):
                self._counts["sent"] += 1
            logger.debug("Outbox: %s sent", message.key)
        elif outcome.kind is OutcomeKind.RETRY:
            await self._retry(message, conversation, outcome)
        elif outcome.kind is OutcomeKind.GONE:
            await self._store.deactivate_reference(message.channel, message.conversation_id)
            await self._fail(message, f"conversation gone: {outcome.reason}")
        else:
            await self._fail(message, f"rejected: {outcome.reason}")

    async def _retry(
        self, message: ClaimedMessage, conversation: Conversation, outcome: SendOutcome
    ) -> None:
        if outcome.retry_after is not None:
            limits = self._limits[conversation[0]]
            if outcome.whole_channel:
                limits.block_all(outcome.retry_after)
            limits.block(conversation, outcome.retry_after)
        if message.attempts >= self._max_attempts:
            await self._fail(
                message, f"{outcome.reason} (gave up after {message.attempts} attempts)"
            )
            return
        if outcome.retry_after is not None:
            delay = outcome.retry_after
        else:
            delay = self._backoff.delay(message.attempts)
        if await self._outbox.mark_retry(message, delay, outcome.reason):
            self._counts["retried"] += 1
        logger.info(
            "Outbox: %s not delivered (%s); attempt %d, retrying in %.1f s",
            message.key,
            outcome.reason,
            message.attempts,
            delay,
        )

    async def _fail(self, message: ClaimedMessage, reason: str) -> None:
        if await self._outbox.mark_failed(message, reason):
            self._counts["failed"] += 1
        logger.warning("Outbox: %s failed: %s", message.key, reason)
