"""Prometheus metrics of one app: counted at the edges of the turn, the sender and the jobs."""

from __future__ import annotations

import hmac
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiohttp import web
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.schedulers.base import BaseScheduler
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from bot.channels import ChannelRegistry, ClosingTransport, TransportFactory
from delivery.outbox import Outbox, OutboxState
from delivery.transport import Destination, OutcomeKind, SendOutcome
from dialogs.services import Services, TurnRouter
from digests.job import MONTHLY_DIGEST_JOB_ID
from ground.messages import Incoming, Reply
from ground.settings import Settings
from knowledge.answer_card import ASK_AMBASSADOR_VERB, FEEDBACK_VERB

logger = logging.getLogger(__name__)

SEND_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_HTTP_STATUS = re.compile(r"HTTP ([0-9]{3})\b")  # how the transports' reasons begin
JOB_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)


class KompasMetrics:
    """The metrics of one app in a registry of its own (no process-wide state).

    Labels are channel names, outcomes, states and job ids: never a person, a conversation
    or a text.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.inbound = Counter(
            "kompas_inbound_activities",
            "Requests to a channel's endpoint, by channel and outcome (ok, rejected, error)",
            ["channel", "outcome"],
            registry=registry,
        )
        self.questions = Counter(
            "kompas_questions",
            "Questions answered from the AI-kompas or declined (no approved answer)",
            ["result"],
            registry=registry,
        )
        self.feedback = Counter(
            "kompas_feedback", "Feedback on answers (up, down)", ["vote"], registry=registry
        )
        self.outbox = Gauge(
            "kompas_outbox_messages", "Outbox messages by state", ["state"], registry=registry
        )
        self.outbox_oldest = Gauge(
            "kompas_outbox_oldest_pending_age_seconds",
            "Age of the oldest message waiting to be sent (0 when none waits)",
            registry=registry,
        )
        self.sends = Counter(
            "kompas_sends",
            "Proactive sends by channel and result (ok, 429, 4xx, 5xx, error)",
            ["channel", "result"],
            registry=registry,
        )
        self.send_seconds = Histogram(
            "kompas_send_duration_seconds",
            "Time of one proactive send",
            ["channel"],
            buckets=SEND_BUCKETS,
            registry=registry,
        )
        self.job_runs = Counter(
            "kompas_scheduler_job_runs", "Scheduled job runs", ["job"], registry=registry
        )
        self.job_failures = Counter(
            "kompas_scheduler_job_failures",
            "Scheduled job runs that raised",
            ["job"],
            registry=registry,
        )
        self.job_seconds = Histogram(
            "kompas_scheduler_job_duration_seconds",
            "Time of one scheduled job run",
            ["job"],
            buckets=JOB_BUCKETS,
            registry=registry,
        )
        self.digest_seconds = Histogram(
            "kompas_digest_build_duration_seconds",
            "Time of one monthly digest run (build, store and queue the cards)",
            buckets=JOB_BUCKETS,
            registry=registry,
        )
        self._job_started: dict[tuple[str, Any], float] = {}

    # --- the turn ---------------------------------------------------------------------------

    def count_inbound(self, channel: str, status: int) -> None:
        """One request to `channel`'s endpoint that ended with HTTP `status`."""
        outcome = "ok" if status < 400 else "rejected" if status < 500 else "error"
        self.inbound.labels(channel, outcome).inc()

    def count_turn(self, incoming: Incoming, replies: list[Reply]) -> None:
        """Answers, declined questions and feedback, read from what the turn did."""
        if incoming.verb == FEEDBACK_VERB:
            helpful = (incoming.value or {}).get("helpful")
            if isinstance(helpful, bool):
                self.feedback.labels("up" if helpful else "down").inc()
        for reply in replies:
            verbs = {action.verb for action in reply.card.actions} if reply.card else set()
            if FEEDBACK_VERB in verbs:
                self.questions.labels("answered").inc()
            elif ASK_AMBASSADOR_VERB in verbs:
                self.questions.labels("declined").inc()

    # --- the sender -------------------------------------------------------------------------

    def count_send(self, channel: str, outcome: SendOutcome, seconds: float) -> None:
        """One send attempt and how long it took."""
        self.sends.labels(channel, send_result(outcome)).inc()
        self.send_seconds.labels(channel).observe(seconds)

    # --- the scheduler ----------------------------------------------------------------------

    def watch_scheduler(self, scheduler: BaseScheduler) -> None:
        """Count the runs, failures and durations of `scheduler`'s jobs."""
        scheduler.add_listener(
            self._on_job_event, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
        )

    def _on_job_event(self, event: JobEvent) -> None:
        if isinstance(event, JobSubmissionEvent):
            for run_time in event.scheduled_run_times:
                self._job_started[(event.job_id, run_time)] = time.monotonic()
            return
        if not isinstance(event, JobExecutionEvent):
            return
        job = event.job_id
        self.job_runs.labels(job).inc()
        if event.code == EVENT_JOB_ERROR:
            self.job_failures.labels(job).inc()
        started = self._job_started.pop((job, event.scheduled_run_time), None)
        if started is not None:
            seconds = time.monotonic() - started
            self.job_seconds.labels(job).observe(seconds)
            if job == MONTHLY_DIGEST_JOB_ID and event.code == EVENT_JOB_EXECUTED:
                self.digest_seconds.observe(seconds)

    # --- exposition -------------------------------------------------------------------------

    async def refresh_outbox(self, outbox: Outbox) -> None:
        """Read the outbox's counts per state and the oldest waiting message."""
        status = await outbox.status(0)
        for state in OutboxState:
            self.outbox.labels(state.value).set(status.counts[state])
        age = status.oldest_pending_age
        self.outbox_oldest.set(max(0.0, age.total_seconds()) if age is not None else 0.0)

    def exposition(self) -> bytes:
        """The registry in Prometheus's text format."""
        return generate_latest(self.registry)


def send_result(outcome: SendOutcome) -> str:
    """ok, 429, 4xx, 5xx, or error (no answer: timeout, connection) for one send."""
    if outcome.kind == OutcomeKind.DELIVERED:
        return "ok"
    if outcome.reason == "ratelimited":  # Slack's Web API says so instead of HTTP 429
        return "429"
    answered = _HTTP_STATUS.match(outcome.reason)
    if answered:
        status = int(answered.group(1))
        if status == 429:
            return "429"
        if 400 <= status < 500:
            return "4xx"
        if status >= 500:
            return "5xx"
    if outcome.kind in (OutcomeKind.GONE, OutcomeKind.REJECTED):
        return "4xx"
    return "error"


class MeteredRouter:
    """A router that counts what each turn did, then hands the replies on unchanged."""

    def __init__(self, inner: TurnRouter, metrics: KompasMetrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def handle(self, incoming: Incoming) -> list[Reply]:
        replies = await self._inner.handle(incoming)
        try:
            self._metrics.count_turn(incoming, replies)
        except Exception:  # a metric never costs a person their answer
            logger.exception("Counting a turn failed")
        return replies

    def apology(self) -> Reply:
        return self._inner.apology()


class MeteredTransport:
    """A channel's transport whose every send is counted and timed."""

    def __init__(self, channel: str, inner: ClosingTransport, metrics: KompasMetrics) -> None:
        self._channel = channel
        self._inner = inner
        self._metrics = metrics

    async def send(self, destination: Destination, reply: Reply) -> SendOutcome:
        started = time.monotonic()
        outcome = await self._inner.send(destination, reply)
        self._metrics.count_send(self._channel, outcome, time.monotonic() - started)
        return outcome

    async def close(self) -> None:
        await self._inner.close()


def metered_services(services: Services, metrics: KompasMetrics) -> Services:
    """`services` whose router counts turns and whose edges count requests that come in beside
    the HTTP server (the given object is left as it is)."""
    return replace(
        services,
        router=MeteredRouter(services.router, metrics),
        count_inbound=metrics.count_inbound,
    )


def metered_registry(registry: ChannelRegistry, metrics: KompasMetrics) -> ChannelRegistry:
    """`registry` whose transports count and time their sends."""

    def metered(name: str, factory: TransportFactory) -> TransportFactory:
        def build(settings: Settings) -> ClosingTransport:
            return MeteredTransport(name, factory(settings), metrics)

        return build

    return ChannelRegistry(
        replace(entry, transport=metered(entry.name, entry.transport))
        if entry.transport is not None
        else entry
        for entry in registry.values()
    )


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def metrics_handler(
    token: str,
    metrics: Callable[[web.Request], KompasMetrics],
    outbox: Callable[[web.Request], Outbox],
) -> Handler:
    """GET /metrics: 404 without a configured token, 401 without the right bearer token."""

    async def handle(request: web.Request) -> web.StreamResponse:
        if not token:
            raise web.HTTPNotFound()
        given = request.headers.get("Authorization", "")
        scheme, _, credentials = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            credentials.strip().encode(), token.encode()
        ):
            logger.warning("GET /metrics from %s without the right token", request.remote)
            raise web.HTTPUnauthorized(headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        meter = metrics(request)
        try:
            await meter.refresh_outbox(outbox(request))
        except Exception:
            logger.exception("Reading the outbox for /metrics failed")
        body = meter.exposition()
        response = web.Response(body=body)
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        response.headers["Cache-Control"] = "no-store"
        return response

    return handle
