"""`eksportér mine data` gives a download link: the person's JSON, and only with a valid token."""

from __future__ import annotations

import json
import re

from bot.app import create_app
from fakes.bot_connector import FakeBotConnector
from ground.settings import Settings
from tests.bot import activities as fx
from tests.bot.conftest import StartApp
from tests.conftest import on_sdk

LINK = re.compile(r"\((http://[^)\s]+/exports/[^)\s]+)\)")


async def test_export_link_downloads_my_data_as_a_json_file(
    teams_sdk: str, start_app: StartApp, bot_connector: FakeBotConnector, database_url: str
) -> None:
    kompas = await start_app(create_app(on_sdk(Settings(database_url=database_url), teams_sdk)))
    question = fx.personal_message(bot_connector.url, "må jeg bruge copilot til et referat?")
    assert (await kompas.post_activity(question)).status == 200
    export = fx.personal_message(bot_connector.url, "eksportér mine data")
    assert (await kompas.post_activity(export)).status == 200
    _, reply = await bot_connector.wait_for(2)

    card_text = json.dumps(reply.cards, ensure_ascii=False)
    [link] = LINK.findall(card_text)
    path = link.split("127.0.0.1:3978", 1)[1]

    async with kompas.session.get(kompas.url + path) as response:
        body = await response.text()
        assert response.status == 200
        assert "attachment" in response.headers["Content-Disposition"]
    assert "må jeg bruge copilot til et referat?" in body

    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    other_person = re.sub(r"/exports/\d+", "/exports/999", path)
    for bad in (tampered, other_person, path.split("?")[0]):
        async with kompas.session.get(kompas.url + bad) as response:
            assert response.status == 403, bad
            assert "copilot" not in await response.text()
    async with kompas.session.get(kompas.url + "/exports/abc?t=1.x") as response:
        assert response.status == 404  # not a user id at all
