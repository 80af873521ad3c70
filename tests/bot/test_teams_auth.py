"""Inbound JWT validation against OpenID metadata and JWKS served on loopback by the test."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from botframework.connector.auth import MicrosoftAppCredentials
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from microsoft_agents.authentication.msal import MsalAuth

from bot.app import create_app
from fakes.bot_connector import FakeBotConnector
from ground.channel_settings import TeamsSettings
from ground.settings import Settings
from tests.bot import activities as fx
from tests.bot.conftest import RecordingRouter, RunningApp, StartApp, StubServices
from tests.conftest import on_sdk

ISSUER = "https://api.botframework.com"
OUTBOUND_TOKEN = "test-outbound-token"


@dataclass
class OpenIdProvider:
    """Bot Framework-style OpenID metadata + JWKS on 127.0.0.1, with the signing key."""

    metadata_url: str
    key: rsa.RSAPrivateKey
    key_id: str

    def token(
        self, *, key: rsa.RSAPrivateKey | None = None, kid: str | None = None, **claims: Any
    ) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": fx.APP_ID, "nbf": now - 60, "exp": now + 3600, **claims}
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(
            payload, key or self.key, algorithm="RS256", headers={"kid": kid or self.key_id}
        )


def _serve(documents: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = documents.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body or b"{}")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture(scope="session")
def openid() -> Iterator[OpenIdProvider]:
    """Served from a thread: botbuilder fetches metadata with blocking `requests` calls.

    Session-scoped because botbuilder caches metadata per URL for the whole process.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_id = f"test-{uuid.uuid4().hex[:8]}"
    documents: dict[str, bytes] = {}
    server = _serve(documents)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.update({"kid": key_id, "use": "sig", "endorsements": ["msteams", "emulator"]})
    documents["/v1/.well-known/openidconfiguration"] = json.dumps(
        {
            "issuer": ISSUER,
            "jwks_uri": f"{base}/v1/.well-known/keys",
            "id_token_signing_alg_values_supported": ["RS256"],
        }
    ).encode()
    documents["/v1/.well-known/keys"] = json.dumps({"keys": [jwk]}).encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield OpenIdProvider(f"{base}/v1/.well-known/openidconfiguration", key, key_id)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def outbound_token(monkeypatch: pytest.MonkeyPatch) -> str:
    """The bot's own token for calling the connector would come from Entra ID (which no test
    reaches); each SDK's call to it is stubbed."""

    def fake_token(self: MicrosoftAppCredentials, force_refresh: bool = False) -> str:
        return OUTBOUND_TOKEN

    async def fake_msal_token(self: MsalAuth, *args: Any, **kwargs: Any) -> str:
        return OUTBOUND_TOKEN

    monkeypatch.setattr(MicrosoftAppCredentials, "get_access_token", fake_token)
    monkeypatch.setattr(MsalAuth, "get_access_token", fake_msal_token)
    return OUTBOUND_TOKEN


def credentials(openid_url: str = "", **overrides: Any) -> Settings:
    """Settings with credentials; the tenant of the test activities is allowed unless given."""
    overrides.setdefault("allowed_tenants", frozenset({fx.TENANT_ID}))
    return Settings(
        teams=TeamsSettings(
            app_id=fx.APP_ID,
            app_password="not-a-real-secret",
            openid_metadata_url=openid_url,
            **overrides,
        )
    )


async def start(
    start_app: StartApp, settings: Settings, sdk: str
) -> tuple[RunningApp, RecordingRouter]:
    router = RecordingRouter()
    settings = on_sdk(settings, sdk)
    app = await start_app(create_app(settings, StubServices(settings, router)))  # type: ignore[arg-type]
    return app, router


@pytest.fixture
async def secured(
    teams_sdk: str, start_app: StartApp, openid: OpenIdProvider, outbound_token: str
) -> tuple[RunningApp, RecordingRouter]:
    return await start(start_app, credentials(openid.metadata_url), teams_sdk)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_valid_token_is_accepted_and_reply_carries_outbound_token(
    secured: tuple[RunningApp, RecordingRouter],
    openid: OpenIdProvider,
    bot_connector: FakeBotConnector,
) -> None:
    app, router = secured
    token = openid.token(serviceurl=bot_connector.url)
    response = await app.post_activity(fx.personal_message(bot_connector.url, "hej"), bearer(token))
    assert response.status == 200
    [sent] = await bot_connector.wait_for(1)
    assert sent.text == "Du skrev: hej"
    assert sent.headers["Authorization"] == f"Bearer {OUTBOUND_TOKEN}"
    assert len(router.seen) == 1


@pytest.mark.parametrize("use_override", [True, False], ids=["test-metadata", "public-cloud"])
@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer garbage", "Bearer a.b.c", "Basic dXNlcjpwYXNz"],
    ids=["missing", "empty", "no-token", "garbage", "garbage-parts", "basic"],
)
async def test_missing_or_garbage_token_is_401(
    teams_sdk: str,
    start_app: StartApp,
    openid: OpenIdProvider,
    bot_connector: FakeBotConnector,
    use_override: bool,
    header: str | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Without the override botbuilder would ask login.botframework.com, but these requests
    # are rejected before any key is needed, so the production path is covered offline too.
    app, router = await start(
        start_app, credentials(openid.metadata_url if use_override else ""), teams_sdk
    )
    headers = {} if header is None else {"Authorization": header}
    with caplog.at_level(logging.WARNING):
        response = await app.post_activity(fx.personal_message(bot_connector.url), headers)
    assert response.status == 401
    assert await response.json() == {"error": "unauthorized"}
    assert "unauthorised" in caplog.text
    assert router.seen == [] and bot_connector.requests == []


@pytest.mark.parametrize(
    "case",
    [
        "wrong-audience",
        "wrong-issuer",
        "expired",
        "other-key",
        "unknown-kid",
        "serviceurl",
        "no-serviceurl",
    ],
)
async def test_token_with_bad_claims_or_signature_is_401(
    secured: tuple[RunningApp, RecordingRouter],
    openid: OpenIdProvider,
    bot_connector: FakeBotConnector,
    case: str,
) -> None:
    app, router = secured
    url = bot_connector.url
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = {
        "wrong-audience": lambda: openid.token(serviceurl=url, aud="someone-elses-bot"),
        "wrong-issuer": lambda: openid.token(serviceurl=url, iss="https://evil.example"),
        "expired": lambda: openid.token(serviceurl=url, exp=int(time.time()) - 3600),
        "other-key": lambda: openid.token(serviceurl=url, key=other_key),
        "unknown-kid": lambda: openid.token(serviceurl=url, key=other_key, kid="nope"),
        "serviceurl": lambda: openid.token(serviceurl="https://smba.trafficmanager.net/emea/"),
        "no-serviceurl": lambda: openid.token(),
    }[case]()
    response = await app.post_activity(fx.personal_message(url), bearer(token))
    assert response.status == 401
    assert router.seen == [] and bot_connector.requests == []


async def test_channel_not_endorsed_by_key_is_401(
    secured: tuple[RunningApp, RecordingRouter],
    openid: OpenIdProvider,
    bot_connector: FakeBotConnector,
) -> None:
    app, _ = secured
    activity = {**fx.personal_message(bot_connector.url), "channelId": "slack"}
    token = openid.token(serviceurl=bot_connector.url)
    assert (await app.post_activity(activity, bearer(token))).status == 401


async def test_authenticated_but_foreign_tenant_is_403(
    teams_sdk: str,
    start_app: StartApp,
    openid: OpenIdProvider,
    outbound_token: str,
    bot_connector: FakeBotConnector,
) -> None:
    settings = credentials(openid.metadata_url, allowed_tenants=frozenset({fx.OTHER_TENANT_ID}))
    app, router = await start(start_app, settings, teams_sdk)
    token = openid.token(serviceurl=bot_connector.url)
    response = await app.post_activity(fx.personal_message(bot_connector.url), bearer(token))
    assert response.status == 403
    assert router.seen == []


async def test_unreachable_metadata_is_503_not_500(
    teams_sdk: str, start_app: StartApp, openid: OpenIdProvider, bot_connector: FakeBotConnector
) -> None:
    server = _serve({})
    closed_url = f"http://127.0.0.1:{server.server_address[1]}/v1/.well-known/openidconfiguration"
    server.server_close()
    app, _ = await start(start_app, credentials(closed_url), teams_sdk)
    token = openid.token(serviceurl=bot_connector.url)
    response = await app.post_activity(fx.personal_message(bot_connector.url), bearer(token))
    assert response.status == 503
