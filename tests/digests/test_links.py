"""Signed, expiring digest links: what opens a page and what does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from digests.digest_store import DigestStore
from digests.links import DEV_BASE_URL, LinkError, LinkProblem, LinkSigner, base_url, link_signer
from ground.settings import Settings
from storage.database import Database

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def test_a_link_opens_its_own_digest_until_it_expires() -> None:
    signer = LinkSigner(b"k" * 32, "https://kompas.example.dk")
    url = signer.url("abc", NOW)
    token = url.split("?t=", 1)[1]

    assert url.startswith("https://kompas.example.dk/digests/abc?t=")
    assert signer.check("abc", token, NOW + timedelta(days=44)) == NOW + signer.lifetime
    with pytest.raises(LinkError) as expired:
        signer.check("abc", token, NOW + timedelta(days=46))
    assert expired.value.problem is LinkProblem.EXPIRED


@pytest.mark.parametrize(
    "change",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature
        lambda token: str(int(token.split(".")[0]) + 86400) + "." + token.split(".")[1],  # expiry
        lambda token: token.split(".")[1],  # no expiry
        lambda token: "",
        lambda token: "12.ab",
    ],
)
def test_a_tampered_token_is_invalid(change: object) -> None:
    signer = LinkSigner(b"k" * 32)
    token = signer.token("abc", NOW + timedelta(days=1))

    with pytest.raises(LinkError) as refused:
        signer.check("abc", change(token), NOW)  # type: ignore[operator]
    assert refused.value.problem is LinkProblem.INVALID


def test_a_token_does_not_open_another_digest_or_with_another_key() -> None:
    token = LinkSigner(b"k" * 32).token("abc", NOW + timedelta(days=1))

    with pytest.raises(LinkError):
        LinkSigner(b"k" * 32).check("abd", token, NOW)
    with pytest.raises(LinkError):
        LinkSigner(b"x" * 32).check("abc", token, NOW)


def test_the_link_base_is_the_public_host_or_the_dev_server() -> None:
    assert base_url(Settings()) == DEV_BASE_URL == "http://127.0.0.1:3978"
    assert base_url(Settings(public_host="kompas.kommune.dk")) == "https://kompas.kommune.dk"


async def test_without_a_secret_every_process_signs_with_the_key_in_the_database(
    database: Database,
) -> None:
    one = await link_signer(Settings(), DigestStore(database))
    two = await link_signer(Settings(), DigestStore(database))
    configured = await link_signer(Settings(link_secret="s" * 32), DigestStore(database))

    assert one.secret == two.secret and len(one.secret) >= 32
    assert configured.secret == b"s" * 32
    token = one.token("abc", NOW + timedelta(days=1))
    assert two.check("abc", token, NOW)
