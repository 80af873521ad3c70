"""`kompas manifest`: builds the Teams app package (manifest.json and two icons) as a zip."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageDraw

from ground.settings import Settings

MANIFEST_VERSION = "1.17"
SCHEMA_URL = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
)
COLOR_ICON_SIZE = 192
OUTLINE_ICON_SIZE = 32
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")


class ManifestError(ValueError):
    """The package cannot be built with the given settings."""


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _compass(draw: ImageDraw.ImageDraw, size: int, fill: str | tuple[int, ...], width: int) -> None:
    """A compass: a ring and a needle pointing north-east."""
    margin = size * 0.14
    draw.ellipse((margin, margin, size - margin, size - margin), outline=fill, width=width)
    centre = size / 2
    reach = size * 0.26
    needle = [
        (centre + reach, centre - reach),
        (centre + size * 0.05, centre + size * 0.05),
        (centre - reach, centre + reach),
        (centre - size * 0.05, centre - size * 0.05),
    ]
    draw.polygon(needle, fill=fill)


def color_icon(accent: str) -> bytes:
    """192×192 full-colour icon: white compass on the accent colour."""
    image = Image.new("RGB", (COLOR_ICON_SIZE, COLOR_ICON_SIZE), _hex_to_rgb(accent))
    _compass(ImageDraw.Draw(image), COLOR_ICON_SIZE, "white", width=10)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def outline_icon() -> bytes:
    """32×32 outline icon: white on a transparent background, as Teams requires."""
    image = Image.new("RGBA", (OUTLINE_ICON_SIZE, OUTLINE_ICON_SIZE), (0, 0, 0, 0))
    _compass(ImageDraw.Draw(image), OUTLINE_ICON_SIZE, (255, 255, 255, 255), width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def build_manifest(settings: Settings, texts: dict[str, Any], version: str) -> dict[str, Any]:
    """The manifest.json content for the configured app id and public host."""
    try:
        app_id = str(uuid.UUID(settings.teams.app_id))
    except ValueError as error:
        raise ManifestError(
            "MICROSOFT_APP_ID must be the bot's Microsoft App ID (a GUID) to build the package"
        ) from error
    host = settings.public_host.lower()
    if not _HOST.match(host):
        raise ManifestError(
            "KOMPAS_PUBLIC_HOST must be the host name Kompas is reachable on "
            "(e.g. kompas.kommune.dk)"
        )
    base = f"https://{host}"
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": texts["developer_name"],
            "websiteUrl": base,
            "privacyUrl": f"{base}/privacy",
            "termsOfUseUrl": f"{base}/terms",
        },
        "name": {"short": texts["short_name"], "full": texts["full_name"]},
        "description": {"short": texts["short_description"], "full": texts["full_description"]},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": texts["accent_color"],
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {"scopes": ["personal", "team", "groupChat"], "commands": texts["commands"]}
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host],
    }


def write_package(settings: Settings, out: Path, version: str = "1.0.0") -> Path:
    """Write the zip with manifest.json, color.png and outline.png; returns its path."""
    texts_path = settings.content_dir / "teams" / "manifest.yml"
    texts = yaml.safe_load(texts_path.read_text(encoding="utf-8"))
    manifest = build_manifest(settings, texts, version)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        archive.writestr("color.png", color_icon(str(texts["accent_color"])))
        archive.writestr("outline.png", outline_icon())
    return out
