"""Recognises the requests Kompas answers itself (content/intents.yml) by the Danish analysis."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from ground.content import ContentProblem
from knowledge.analysis import Analyzer, transliterations
from knowledge.danish import STOPWORDS, words
from knowledge.topics import ContentError, yaml_error

logger = logging.getLogger(__name__)

INTENTS_FILE = "intents.yml"
INTENT_KEYS = frozenset({"needs", "also", "never"})
# A request is short: a longer message is a question for the AI-kompas, whatever it mentions.
MAX_WORDS = 20

Group = tuple[str, ...]


@dataclass(frozen=True)
class IntentRule:
    """One request as written in intents.yml.

    A message is the request when, for at least one entry of `needs`, it has a word of each
    of the entry's groups; when every other content word of it is in `needs` or `also`
    (small words such as "er", "os" and "min" do not count); and when it has no word of
    `never`. Words are compared as the search compares them: inflections, compounds,
    typos, transliterations and synonym groups.
    """

    name: str
    needs: tuple[tuple[Group, ...], ...]
    also: Group = ()
    never: Group = ()


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _words(path: Path, node: yaml.Node, what: str) -> Group:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise ContentError(path, _line(node), f"{what} must be a non-empty list of words")
    found: list[str] = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            raise ContentError(path, _line(item), f"each word of {what} must be a non-empty word")
        found.append(str(item.value).strip())
    return tuple(found)


def _rule(path: Path, name: str, node: yaml.Node) -> IntentRule:
    if not isinstance(node, yaml.MappingNode):
        raise ContentError(path, _line(node), f"intent {name!r} must be a mapping with needs:")
    fields: dict[str, yaml.Node] = {}
    for key, value in node.value:
        key_text = str(key.value) if isinstance(key, yaml.ScalarNode) else ""
        if key_text not in INTENT_KEYS:
            raise ContentError(
                path, _line(key), f"intent {name!r}: unknown key {key_text!r} (needs, also, never)"
            )
        fields[key_text] = value
    if "needs" not in fields:
        raise ContentError(path, _line(node), f"intent {name!r} lacks needs:")
    needs_node = fields["needs"]
    if not isinstance(needs_node, yaml.SequenceNode) or not needs_node.value:
        raise ContentError(
            path, _line(needs_node), f"needs of {name!r} must be a list of lists of word groups"
        )
    needs: list[tuple[Group, ...]] = []
    for entry in needs_node.value:
        if not isinstance(entry, yaml.SequenceNode) or not entry.value:
            raise ContentError(
                path, _line(entry), f"each entry of needs of {name!r} must be a list of groups"
            )
        needs.append(tuple(_words(path, group, f"a group of {name!r}") for group in entry.value))
    also = _words(path, fields["also"], f"also of {name!r}") if "also" in fields else ()
    never = _words(path, fields["never"], f"never of {name!r}") if "never" in fields else ()
    return IntentRule(name, tuple(needs), also, never)


def load_intents(content_dir: Path) -> tuple[IntentRule, ...]:
    """The intents of content/intents.yml; an absent file means none. ContentError (with
    line) when it is broken."""
    path = content_dir / INTENTS_FILE
    if not path.is_file():
        return ()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(path, 0, f"cannot read file: {error}") from error
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        line, message = yaml_error(error, 1)
        raise ContentError(path, line, f"not valid YAML: {message}") from error
    if not isinstance(root, yaml.MappingNode):
        raise ContentError(path, 1, "must be a mapping with the key 'intents:'")
    intents = next(
        (value for key, value in root.value if getattr(key, "value", None) == "intents"), None
    )
    if not isinstance(intents, yaml.MappingNode):
        raise ContentError(path, 1, "'intents:' must map each request's name to its words")
    return tuple(
        _rule(path, str(key.value), value)
        for key, value in intents.value
        if isinstance(key, yaml.ScalarNode)
    )


def intent_problems(content_dir: Path) -> list[ContentProblem]:
    """Problems in intents.yml (a missing file is a warning: questions still get answers)."""
    path = content_dir / INTENTS_FILE
    if not path.is_file():
        return [
            ContentProblem(
                path,
                0,
                "no intents file: Kompas answers every message from the AI-kompas",
                "warning",
            )
        ]
    try:
        load_intents(content_dir)
    except ContentError as error:
        return [ContentProblem(error.path, error.line, error.message)]
    return []


@dataclass(frozen=True)
class _Words:
    """A group of listed words as the analysis sees them: their spellings and index terms."""

    forms: frozenset[str]
    terms: frozenset[str]

    def found_in(self, forms: frozenset[str], concept_terms: Iterable[str]) -> bool:
        return bool(self.forms & forms) or not self.terms.isdisjoint(concept_terms)


@dataclass(frozen=True)
class _Compiled:
    name: str
    needs: tuple[tuple[_Words, ...], ...]
    allowed: frozenset[str]  # the terms of every word listed in needs or also
    never: frozenset[str]


def _spellings(text: str) -> frozenset[str]:
    """Every word form of `text` with its aa/ae/oe readings (maa: må)."""
    return frozenset(
        spelling for word in words(text) for spelling in (word.form, *transliterations(word.form))
    )


class IntentRecogniser:
    """Tells which request of intents.yml a message is, if any; built once per content."""

    def __init__(self, rules: Sequence[IntentRule], analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self._rules = tuple(self._compile(rule) for rule in rules)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(rule.name for rule in self._rules)

    def _listed(self, group: Iterable[str]) -> _Words:
        forms: set[str] = set()
        terms: set[str] = set()
        for word in group:
            forms |= _spellings(word)
            for concept in self._analyzer.query_concepts(word):
                terms |= set(concept.alternatives)
        return _Words(frozenset(forms), frozenset(terms))

    def _compile(self, rule: IntentRule) -> _Compiled:
        needs = tuple(tuple(self._listed(group) for group in entry) for entry in rule.needs)
        allowed = set(self._listed(rule.also).terms)
        for entry in needs:
            for group in entry:
                allowed |= group.terms
        never = frozenset(spelling for word in rule.never for spelling in _spellings(word))
        return _Compiled(rule.name, needs, frozenset(allowed), never)

    def recognise(self, text: str) -> str | None:
        """The name of the request `text` is, or None (then it is a question for the search)."""
        if not self._rules:
            return None
        message = words(text)
        if not message or len(message) > MAX_WORDS:
            return None
        forms = frozenset(
            spelling for word in message for spelling in (word.form, *transliterations(word.form))
        )
        concepts = [
            set(concept.alternatives)
            for concept in self._analyzer.query_concepts(text)
            if not any(variant in STOPWORDS for variant in transliterations(concept.text))
        ]  # a small word typed without æ, ø, å (paa) is a small word, even if the content has it
        for rule in self._rules:
            if forms & rule.never:
                continue
            if any(rule.allowed.isdisjoint(terms) for terms in concepts):
                continue  # a word the request does not explain: a question about something
            met = any(
                all(
                    group.found_in(forms, (term for terms in concepts for term in terms))
                    for group in entry
                )
                for entry in rule.needs
            )
            if met:
                logger.debug("recognised the request %s", rule.name)
                return rule.name
        return None
