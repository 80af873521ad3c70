"""Routes an incoming message or card submission to the dialog for its intent."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dialogs.ask import AskDialog
from dialogs.ask_ambassador import AskAmbassadorDialog
from dialogs.base import Dialog, DialogDeps, RouteTable
from dialogs.feedback import FeedbackDialog
from dialogs.find_ambassador import FindAmbassadorDialog
from dialogs.forwarding import Forwarder, is_queued
from dialogs.help import HelpDialog
from dialogs.installation import InstallationDialog
from dialogs.person_binding import refusal
from dialogs.show_topic import ShowTopicDialog
from dialogs.small_talk import SmallTalkDialog
from dialogs.turn_input import has_unstorable_integer, sanitised
from dialogs.welcome import WelcomeDialog
from ground.messages import Incoming, IncomingKind, Reply
from ground.person_binding import PERSON_BOUND_VERBS, bind_replies, is_person_bound
from knowledge.answer_card import ASK_AMBASSADOR_VERB, FEEDBACK_VERB, SHOW_TOPIC_VERB

logger = logging.getLogger(__name__)

# Whole-message commands (after normalisation) → dialog name.
COMMANDS: Mapping[str, str] = {
    "hjælp": "help",
    "hjaelp": "help",
    "help": "help",
    "?": "help",
    "hvad kan du": "help",
    "hej": "hello",
    "hejsa": "hello",
    "hallo": "hello",
    "goddag": "hello",
    "godmorgen": "hello",
    "hi": "hello",
    "hello": "hello",
    "tak": "thanks",
    "mange tak": "thanks",
    "tusind tak": "thanks",
    "tak for hjælpen": "thanks",
    "super tak": "thanks",
    "farvel": "bye",
    "hej hej": "bye",
    "vi ses": "bye",
}

# Requests of content/intents.yml → dialog name. The knowledge module recognises them with its
# Danish analysis (not a fixed phrase); any other message is a question for the AI-kompas.
INTENTS: Mapping[str, str] = {
    "find_ambassador": "find_ambassador",
    "idea_bank": "idea_bank",  # its dialog comes with dialogs.learning_routes
}

# Card-submission verbs → dialog name.
VERBS: Mapping[str, str] = {
    FEEDBACK_VERB: "feedback",
    SHOW_TOPIC_VERB: "show_topic",
    ASK_AMBASSADOR_VERB: "ask_ambassador",
    "help": "help",
}

# Event kinds that are not typed messages → dialog name.
EVENTS: Mapping[IncomingKind, str] = {
    IncomingKind.INSTALLED: "installation",
    IncomingKind.MEMBER_ADDED: "installation",
    IncomingKind.UNINSTALLED: "installation",
    IncomingKind.MEMBER_REMOVED: "installation",
}

_PUNCTUATION = re.compile(r"[^\w\s?]+")
_SPACES = re.compile(r"\s+")


def normalise_command(text: str) -> str:
    """Lower-case, NFC, punctuation (except a lone ?) removed, spaces folded."""
    text = unicodedata.normalize("NFC", text).lower().strip()
    if text == "?":
        return text
    text = _PUNCTUATION.sub(" ", text).replace("?", " ")
    return _SPACES.sub(" ", text).strip()


class RoutingConflictError(ValueError):
    """Two feature areas claim the same command, verb or dialog name."""


def _merge(target: dict[str, str], extra: Mapping[str, str], what: str) -> None:
    for key, value in extra.items():
        if key in target:
            raise RoutingConflictError(f"{what} {key!r} is routed twice")
        target[key] = value


@dataclass(frozen=True)
class Route:
    """Where a command, verb or event goes: the dialog object itself, and its name."""

    name: str
    dialog: Dialog


class Router:
    """Stores the conversation reference, then hands the event to one dialog.

    The route tables are compiled once, when the router is built: every command, card verb
    and event kind maps straight to its dialog object, so a turn builds nothing.
    """

    def __init__(self, deps: DialogDeps, extra_routes: Sequence[RouteTable] = ()) -> None:
        self._store = deps.store
        self._texts = deps.texts
        self._knowledge = deps.knowledge
        self._forwarder = Forwarder(deps.outbox, deps.store, deps.addressing)
        self._commands = dict(COMMANDS)
        self._verbs = dict(VERBS)
        self._dialogs: dict[str, Dialog] = {
            "ask": AskDialog(deps),
            "help": HelpDialog(deps),
            "installation": InstallationDialog(deps, WelcomeDialog(deps)),
            "hello": SmallTalkDialog(deps, "small_talk_hello"),
            "thanks": SmallTalkDialog(deps, "small_talk_thanks"),
            "bye": SmallTalkDialog(deps, "small_talk_bye"),
            "feedback": FeedbackDialog(deps),
            "show_topic": ShowTopicDialog(deps),
            "ask_ambassador": AskAmbassadorDialog(deps),
            "find_ambassador": FindAmbassadorDialog(deps),
        }
        for table in extra_routes:
            _merge(self._commands, table.commands, "command")
            _merge(self._verbs, table.verbs, "verb")
            for name, dialog in table.build(deps).items():
                if name in self._dialogs:
                    raise RoutingConflictError(f"dialog {name!r} is defined twice")
                self._dialogs[name] = dialog
        routed = {*self._commands.values(), *self._verbs.values(), *INTENTS.values()}
        unknown = routed - set(self._dialogs)
        if unknown:
            raise RoutingConflictError(f"routes point at unknown dialogs: {sorted(unknown)}")
        unrouted = sorted(set(deps.knowledge.intent_names) - set(INTENTS))
        if unrouted:
            logger.warning("the content names requests no dialog answers: %s", unrouted)
        self._command_routes = {word: self._route(name) for word, name in self._commands.items()}
        self._intent_routes = {intent: self._route(name) for intent, name in INTENTS.items()}
        self._verb_routes = {verb: self._route(name) for verb, name in self._verbs.items()}
        self._event_routes = {kind: self._route(name) for kind, name in EVENTS.items()}
        self._question = self._route("ask")

    def _route(self, name: str) -> Route:
        return Route(name, self._dialogs[name])

    def route(self, incoming: Incoming) -> Route | None:
        """The route of this event (None: nothing to do, or an unknown button)."""
        if incoming.kind in self._event_routes:
            return self._event_routes[incoming.kind]
        if incoming.kind == IncomingKind.SUBMIT:
            verb = incoming.verb
            return self._verb_routes.get(verb) if verb is not None else None
        command = normalise_command(incoming.text)
        if not command:
            return None
        route = self._command_routes.get(command)
        if route is not None:
            return route
        intent = self._knowledge.intent(incoming.text)
        if intent is not None and intent in self._intent_routes:
            return self._intent_routes[intent]
        return self._question

    def dialog_name(self, incoming: Incoming) -> str | None:
        """Which dialog handles this event (None: nothing to do, or an unknown button)."""
        route = self.route(incoming)
        return route.name if route is not None else None

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Handle one incoming event and return the replies for its own conversation, in order.

        Lone surrogates are replaced before anything is stored; a card value with an
        integer no database can hold gets a polite refusal. Replies a dialog addresses to
        another conversation (or to this one with an outbox key, like the welcome) are queued
        in the outbox here (proactive, paced, retried) and never returned, so no channel edge
        can post them into the wrong conversation.
        """
        incoming = sanitised(incoming)
        await self._store.save_reference(incoming)
        if incoming.value is not None and has_unstorable_integer(incoming.value):
            logger.warning("card value with an out-of-range number (%s)", incoming.person.channel)
            return [Reply(text=self._texts.render("card_value_invalid"))]
        refused = await self._check_person(incoming)
        if refused is not None:
            return [refused]
        replies = await self._dispatch(incoming)
        queued = [reply for reply in replies if is_queued(reply, incoming)]
        if queued:
            await self._forwarder.forward(incoming, queued)
        return await self._bind(
            [reply for reply in replies if not is_queued(reply, incoming)], incoming
        )

    async def _check_person(self, incoming: Incoming) -> Reply | None:
        """A refusal when personal data is asked for outside the personal chat, or a
        person-bound card button is pressed by someone else than its person."""
        user_id = (
            await self._store.remember_person(incoming.person)
            if is_person_bound(incoming)
            else None
        )
        reason = refusal(incoming, self.dialog_name(incoming), user_id)
        if reason is None:
            return None
        logger.warning(
            "refused %s in a %s conversation: %s", incoming.kind, incoming.conversation_type, reason
        )
        return Reply(text=self._texts.render(reason))

    async def _bind(self, replies: list[Reply], incoming: Incoming) -> list[Reply]:
        """Bind the person-bound buttons of the replies to the person who gets them."""
        bound = any(
            reply.card is not None and any(a.verb in PERSON_BOUND_VERBS for a in reply.card.actions)
            for reply in replies
        )
        if not bound:
            return replies
        return bind_replies(replies, await self._store.remember_person(incoming.person))

    async def _dispatch(self, incoming: Incoming) -> list[Reply]:
        route = self.route(incoming)
        if route is None:
            if incoming.kind == IncomingKind.SUBMIT:
                logger.warning("unknown card verb from %s", incoming.person.channel)
                return [Reply(text=self._texts.render("unknown_action"))]
            if incoming.kind == IncomingKind.MESSAGE:
                return [Reply(text=self._texts.render("empty_message"))]
            return []
        logger.debug("routing %s to %s", incoming.kind, route.name)
        return await route.dialog.handle(incoming)

    def apology(self) -> Reply:
        """The reply sent when a turn failed unexpectedly."""
        return Reply(text=self._texts.render("apology"))
