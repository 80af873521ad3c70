"""Reads content/synonyms.yml: `groups:` – a list of lists of equivalent words or phrases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

import yaml

from ground.content import ContentProblem
from knowledge.danish import STOPWORDS, Word, inflections, words
from knowledge.topics import ContentError, yaml_error

SYNONYMS_FILE = "synonyms.yml"

SynonymGroups = tuple[tuple[str, ...], ...]


def _node_line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _groups_node(path: Path, root: yaml.Node | None) -> yaml.SequenceNode:
    if not isinstance(root, yaml.MappingNode):
        raise ContentError(path, 1, "must be a mapping with the key 'groups:'")
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "groups":
            if not isinstance(value, yaml.SequenceNode):
                raise ContentError(path, _node_line(value), "'groups' must be a list of lists")
            return value
    raise ContentError(path, 1, "missing the key 'groups:'")


def _group(path: Path, node: yaml.Node) -> tuple[str, ...]:
    if not isinstance(node, yaml.SequenceNode):
        raise ContentError(path, _node_line(node), "each group must be a list of words")
    words: list[str] = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            raise ContentError(path, _node_line(item), "each synonym must be a non-empty word")
        words.append(str(item.value).strip())
    if len(words) < 2:
        raise ContentError(path, _node_line(node), "a group needs at least two words")
    return tuple(words)


def load_synonyms(content_dir: Path) -> SynonymGroups:
    """The synonym groups; an absent file means none. ContentError (with line) when broken."""
    path = content_dir / SYNONYMS_FILE
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
    return tuple(_group(path, node) for node in _groups_node(path, root).value)


def synonym_problems(content_dir: Path) -> list[ContentProblem]:
    """Problems in synonyms.yml (a missing file is a warning: search works without it)."""
    path = content_dir / SYNONYMS_FILE
    if not path.is_file():
        return [ContentProblem(path, 0, "no synonyms file: queries get no synonyms", "warning")]
    try:
        load_synonyms(content_dir)
    except ContentError as error:
        return [ContentProblem(error.path, error.line, error.message)]
    return []


SYNONYM_PREFIX = "~"  # index terms that stand for a synonym group

Pattern = tuple[frozenset[str], ...]


class SynonymMatcher:
    """Finds listed synonyms (words and phrases, in their regular inflections) in word forms."""

    def __init__(self, groups: SynonymGroups) -> None:
        self._by_first: dict[str, list[tuple[Pattern, str]]] = defaultdict(list)
        for number, group in enumerate(groups):
            token = f"{SYNONYM_PREFIX}{number}"
            for member in group:
                member_words = words(member)
                sequences = {tuple(word.form for word in member_words)}
                sequences.add(tuple(p for word in member_words for p in word.parts or (word.form,)))
                for sequence in sequences:
                    if not sequence or all(form in STOPWORDS for form in sequence):
                        continue
                    pattern = tuple(inflections(form) for form in sequence)
                    for form in pattern[0]:
                        self._by_first[form].append((pattern, token))

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def hits(self, forms: Sequence[str]) -> Iterator[tuple[int, int, str]]:
        """(start, end, group term) for every listed synonym found in a sequence of forms."""
        for start, form in enumerate(forms):
            for pattern, token in self._by_first.get(form, ()):
                end = start + len(pattern)
                if end <= len(forms) and all(
                    forms[start + offset] in pattern[offset] for offset in range(1, len(pattern))
                ):
                    yield start, end, token

    def tag(self, sentence: Sequence[Word]) -> list[tuple[int, int, str]]:
        """Synonym hits as word index ranges, looking at hyphenated words whole and in parts."""
        found: set[tuple[int, int, str]] = set()
        joined = [word.form for word in sentence]
        split: list[str] = []
        owners: list[int] = []
        for index, word in enumerate(sentence):
            for part in word.parts or (word.form,):
                split.append(part)
                owners.append(index)
        for start, end, token in self.hits(joined):
            found.add((start, end, token))
        if len(split) != len(joined):
            for start, end, token in self.hits(split):
                found.add((owners[start], owners[end - 1] + 1, token))
        return sorted(found)
