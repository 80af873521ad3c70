"""The `kompas` command line: serve, chat, ask, content, manifest, migrate."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ground.settings import ContentMissingError, Settings, SettingsError, require_content

# Commands that answer people: without content they would answer nothing, so they refuse.
NEEDS_CONTENT = frozenset({"serve", "chat", "ask"})

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

    from delivery.sender import OutboxSender
    from dialogs.services import Services
    from storage.conversation_store import Store
    from storage.database import Database

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (English help texts)."""
    parser = argparse.ArgumentParser(
        prog="kompas",
        description="Kompas: answers questions about the municipality's AI guidelines in Teams.",
        epilog=(
            "Settings come from environment variables and an optional .env file (see README). "
            "Content: the sample shipped with Kompas, or KOMPAS_CONTENT_DIR."
        ),
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the bot's HTTP server (/api/messages)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=3978, help="port to bind (default 3978)")
    serve.add_argument(
        "--dev",
        action="store_true",
        help="development mode: allowed without credentials, loopback addresses only",
    )
    serve.add_argument(
        "--slack-socket-mode",
        action="store_true",
        help="receive Slack over a WebSocket (SLACK_APP_TOKEN) instead of POST /slack/events",
    )

    chat = commands.add_parser("chat", help="talk to Kompas in the terminal (same database)")
    chat.add_argument("--user", help="who you are in the chat (default: your login name)")

    ask = commands.add_parser(
        "ask", help="answer one question, or one per line from stdin (no server needed)"
    )
    ask.add_argument("question", nargs="*", help="the question; omit to read lines from stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")

    content = commands.add_parser("content", help="work with the AI-kompas content")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    content_commands.add_parser("check", help="validate topics, synonyms and templates")

    manifest = commands.add_parser(
        "manifest", help="build the Teams app package (zip), or with --slack the Slack app manifest"
    )
    manifest.add_argument(
        "--slack",
        action="store_true",
        help="write the Slack app manifest (YAML) instead of the Teams package",
    )
    manifest.add_argument(
        "--socket-mode",
        action="store_true",
        help="with --slack: an app for `kompas serve --slack-socket-mode` (no request URLs)",
    )
    manifest.add_argument(
        "--out",
        type=Path,
        default=None,
        help="file to write (default dist/kompas-teams.zip, with --slack dist/kompas-slack.yml)",
    )
    manifest.add_argument("--version", default="1.0.0", help="app package version (Teams)")

    commands.add_parser("migrate", help="create or upgrade the database schema")

    from bot.cli import cases, content_suggestions, demo, digest, org, outbox, reach, trigger

    content_suggestions.register(content_commands)
    outbox.register(commands, _open_outbox_sender)
    cases.register(commands, _open_services)
    for operator_commands in (trigger, org, reach, digest, demo):
        operator_commands.register(commands)
    return parser


def _open_outbox_sender(
    settings: Settings, database: Database, store: Store
) -> AbstractAsyncContextManager[OutboxSender]:
    """The channels' outbox sender (`kompas outbox drain`), imported only when it runs."""
    from bot.channels import open_outbox_sender

    return open_outbox_sender(settings, database, store)


async def _open_services(settings: Settings) -> Services:
    """The process's services (loaded only by the commands that need them)."""
    from bot.composition import open_services

    return await open_services(settings)


def _configure_logging(settings: Settings, verbose: bool, command: str) -> None:
    level = logging.DEBUG if verbose else getattr(logging, settings.log_level.upper(), logging.INFO)
    if command == "chat" and not verbose:
        level = max(level, logging.WARNING)  # keep the conversation readable
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


async def _chat(settings: Settings, user: str | None) -> int:
    """`kompas chat`: open the services, chat in the terminal until input ends, close them."""
    from bot.channels import built_in_registry
    from bot.cli.chat import CLI_CHANNEL
    from bot.composition import open_services

    registry = built_in_registry(settings)
    terminal = registry[CLI_CHANNEL].terminal
    assert terminal is not None
    services = await open_services(settings, registry)
    try:
        return await terminal(services, user, sys.stdin, sys.stdout)
    finally:
        await services.close()


def _run(args: argparse.Namespace, settings: Settings) -> int:
    handler = getattr(args, "handler", None)
    if handler is not None:
        return int(handler(args, settings))
    if args.command == "serve":
        from bot.server import UnsafeServeError, serve

        if args.slack_socket_mode:
            settings = settings.with_overrides(
                slack=dataclasses.replace(settings.slack, socket_mode=True)
            )
        try:
            serve(settings, args.host, args.port, args.dev)
        except UnsafeServeError as error:
            print(f"kompas serve: {error}", file=sys.stderr)
            return 2
        return 0
    if args.command == "chat":
        from storage.migrate import upgrade

        upgrade(settings.database_url)
        return asyncio.run(_chat(settings, args.user))
    if args.command == "ask":
        from bot.cli.ask import answer_questions
        from knowledge.index_cache import load_knowledge

        knowledge = load_knowledge(settings.content_dir, settings.contacts, settings.cache_dir)
        lines = [" ".join(args.question)] if args.question else sys.stdin
        answer_questions(knowledge, lines, sys.stdout, args.json)
        return 0
    if args.command == "content":
        from bot.cli.content_check import run_content_check

        return run_content_check(settings, sys.stdout)
    if args.command == "manifest" and args.slack:
        from bot.cli.slack_manifest import SlackManifestError, write_slack_manifest

        try:
            path = write_slack_manifest(
                settings, args.out or Path("dist/kompas-slack.yml"), socket_mode=args.socket_mode
            )
        except SlackManifestError as error:
            print(f"kompas manifest --slack: {error}", file=sys.stderr)
            return 2
        print(f"Slack app manifest written to {path} (paste it at api.slack.com/apps)")
        return 0
    if args.command == "manifest":
        from bot.cli.manifest import ManifestError, write_package

        try:
            path = write_package(settings, args.out or Path("dist/kompas-teams.zip"), args.version)
        except ManifestError as error:
            print(f"kompas manifest: {error}", file=sys.stderr)
            return 2
        print(f"Teams app package written to {path}")
        return 0
    if args.command == "migrate":
        from storage.migrate import upgrade

        upgrade(settings.database_url)
        print(f"database is up to date ({settings.database_url})")
        return 0
    raise AssertionError(f"unhandled command {args.command}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `kompas` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"kompas: {error}", file=sys.stderr)
        return 2
    _configure_logging(settings, args.verbose, args.command)
    if args.command in NEEDS_CONTENT:
        try:
            require_content(settings.content_dir)
        except ContentMissingError as error:
            print(f"kompas {args.command}: {error}", file=sys.stderr)
            return 2
    return _run(args, settings)


if __name__ == "__main__":
    sys.exit(main())
