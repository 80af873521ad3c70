"""The aiohttp application factory: the channels' endpoints, health and readiness probes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.background import BackgroundScheduler, job_services
from bot.channels import ChannelRegistry, WebEdge, built_in_registry
from bot.composition import open_services
from bot.connections import serving
from bot.logs import REQUEST_ID_HEADER, new_request_id, request_scope
from bot.metrics import KompasMetrics, metered_registry, metered_services, metrics_handler
from bot.web.digests import add_digest_routes
from bot.web.exports import add_export_routes
from dialogs.services import Services
from ground.settings import Settings, SettingsError

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024

SERVICES_KEY = web.AppKey("services", Services)
EDGES_KEY = web.AppKey("edges", dict[str, WebEdge])
SCHEDULER_KEY = web.AppKey("scheduler", BackgroundScheduler)
METRICS_KEY = web.AppKey("metrics", KompasMetrics)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(
    settings: Settings,
    services: Services | None = None,
    *,
    deliver_outbox: bool | None = None,
    run_scheduler: bool | None = None,
    registry: ChannelRegistry | None = None,
) -> web.Application:
    """Build the app. Services are opened on startup (and closed) unless passed in.

    Each channel of the `registry` (default: Teams and the terminal) with a web edge gets
    its endpoint. With `deliver_outbox` the app drains the outbox (the rows of every channel
    with a transport) while it runs; with
    `run_scheduler` it competes for the scheduler lock (one scheduler per database). By
    default both happen when it opens its own services (every `kompas serve`), not with
    given ones; KOMPAS_SCHEDULER=off switches the scheduler off. Settings that would accept
    any tenant unasked raise SettingsError.
    """
    problem = settings.teams.tenant_policy_problem()
    if problem:
        raise SettingsError(problem)
    channels = registry if registry is not None else built_in_registry(settings)
    edge_paths = {
        entry.web_path: entry.name for entry in channels.values() if entry.web_edge is not None
    }
    app = web.Application(
        client_max_size=MAX_BODY_BYTES, middlewares=[_request_ids(edge_paths), _server_errors]
    )
    app[METRICS_KEY] = KompasMetrics()
    deliver = services is None if deliver_outbox is None else deliver_outbox
    schedule = (services is None) if run_scheduler is None else run_scheduler
    schedule = schedule and settings.schedule.enabled
    app.cleanup_ctx.append(_lifecycle(settings, services, channels, deliver, schedule))
    for path, name in edge_paths.items():
        app.router.add_post(path, _edge_handler(name))
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_get(
        "/metrics",
        metrics_handler(
            settings.operations.metrics_token,
            lambda request: request.app[METRICS_KEY],
            lambda request: request.app[SERVICES_KEY].deps.outbox,
        ),
    )
    add_digest_routes(app, SERVICES_KEY)
    add_export_routes(app, SERVICES_KEY)
    return app


def _lifecycle(
    settings: Settings,
    given: Services | None,
    registry: ChannelRegistry,
    deliver: bool,
    schedule: bool,
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        services = given if given is not None else await open_services(settings, registry)
        metrics = app[METRICS_KEY]
        limits = registry.limits(settings.delivery)  # each channel's, edge and sender alike
        counted = metered_services(services, metrics)  # the edges' router counts turns
        edges = {
            entry.name: entry.web_edge(settings, counted, limits[entry.name])
            for entry in registry.values()
            if entry.web_edge is not None
        }
        app[SERVICES_KEY] = services
        app[EDGES_KEY] = edges
        try:
            for edge in edges.values():
                await edge.start()
            async with AsyncExitStack() as delivery:
                if deliver:  # on SIGTERM: stop claiming, finish sends in flight, then close
                    sender = await delivery.enter_async_context(
                        metered_registry(registry, metrics).outbox_sender(
                            settings, services.database, services.store, limits=limits
                        )
                    )
                    sender.start()
                    delivery.push_async_callback(sender.stop)
                if schedule:  # stopped first on shutdown: no new jobs while sends finish
                    rosters = await delivery.enter_async_context(
                        registry.roster_syncs(settings, services, limits)
                    )
                    scheduler = BackgroundScheduler(
                        settings,
                        services.database,
                        job_services(services, rosters),
                        watch=metrics.watch_scheduler,
                    )
                    await scheduler.start()
                    app[SCHEDULER_KEY] = scheduler
                    delivery.push_async_callback(scheduler.stop)
                yield
        finally:
            for edge in edges.values():
                await edge.close()
            if given is None:  # the caller owns services it passed in
                await services.close()

    return lifecycle


def _request_ids(edge_paths: dict[str, str]) -> Middleware:
    """Every request gets an id that its log lines carry (and the X-Request-Id header); a
    channel's endpoint also counts the request by its outcome."""

    @web.middleware
    async def request_ids(request: web.Request, handler: Handler) -> web.StreamResponse:
        with request_scope(new_request_id()) as request_id:
            channel = edge_paths.get(request.path) if request.method == "POST" else None
            status = 500
            try:
                response = await handler(request)
                status = response.status
            except web.HTTPException as error:
                status = error.status
                error.headers[REQUEST_ID_HEADER] = request_id
                raise
            finally:
                if channel is not None:
                    request.app[METRICS_KEY].count_inbound(channel, status)
            if not response.prepared:
                response.headers[REQUEST_ID_HEADER] = request_id
            return response

    return request_ids


@web.middleware
async def _server_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """HTTP errors pass through; a client that went away is an INFO line; anything else is a
    server fault: logged, then a JSON 500. The connection counts as busy meanwhile."""
    try:
        with serving(request.protocol):
            return await handler(request)
    except web.HTTPException:
        raise
    except ConnectionResetError:
        logger.info(
            "Client %s disconnected during %s %s", request.remote, request.method, request.path
        )
        return web.Response(status=400)
    except Exception:
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return web.json_response({"error": "internal server error"}, status=500)


def _edge_handler(name: str) -> Handler:
    """The request handler of channel `name`'s web edge."""

    async def handle(request: web.Request) -> web.StreamResponse:
        return await request.app[EDGES_KEY][name].handle(request)

    return handle


async def _healthz(request: web.Request) -> web.Response:
    scheduler = request.app.get(SCHEDULER_KEY)
    role = scheduler.role if scheduler is not None else "off"
    return web.json_response({"status": "ok", "scheduler": role})


async def _readyz(request: web.Request) -> web.Response:
    try:
        checks = await request.app[SERVICES_KEY].readiness()
    except Exception:
        logger.exception("Readiness check failed")
        return web.json_response({"status": "unavailable", "checks": {}}, status=503)
    ready = all(checks.values())
    if not ready:
        logger.warning("Not ready: %s", ", ".join(k for k, ok in checks.items() if not ok))
    return web.json_response(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
