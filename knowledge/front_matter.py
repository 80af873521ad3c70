"""Writes topic files: a new topic's text, and listed questions added to an existing one."""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import frontmatter
import yaml

QUESTIONS_KEY = "questions"
DEFAULT_ITEM_PREFIX = "  - "  # how the shipped topics indent their lists
_BOUNDARY = re.compile(r"^-{3,}[ \t]*$")  # the '---' lines around the front matter
_TOP_LEVEL_KEY = re.compile(r"^[^\s#-][^:]*:")  # a key at column 0 (the next key ends a block)
_ITEM = re.compile(r"^([ \t]*-[ \t]+)")
_JINJA_OPENERS = ("{{", "{%", "{#")
_HANDLER = frontmatter.YAMLHandler()  # reads YAML as knowledge/topics.py does


class FrontMatterEditError(ValueError):
    """The front matter is laid out so that questions cannot be added without rewriting it."""


class _IndentedDumper(yaml.SafeDumper):
    """Lists inside a mapping indented by two spaces ("  - …"), as the topic files write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def dump_yaml(data: Any) -> str:
    """Block-style YAML as the topic files write it: Danish letters as they are, no folding."""
    return yaml.dump(
        data,
        Dumper=_IndentedDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=math.inf,
    )


def topic_text(meta: Mapping[str, Any], body: str) -> str:
    """A whole topic file: front matter between '---' lines, then the Markdown body.

    The body is not a template: text Jinja would read as code ("{{", "{%", "{#") is kept
    verbatim inside a raw block, so it renders as written."""
    body = body.strip()
    if any(opener in body for opener in _JINJA_OPENERS):
        body = "{% raw %}\n" + body + "\n{% endraw %}"
    return f"---\n{dump_yaml(dict(meta))}---\n{body}\n"


def _item_text(question: str) -> str:
    """One question as a list item's YAML scalar (quoted only when YAML needs it)."""
    dumped = dump_yaml([question]).strip("\n")
    return dumped.removeprefix(DEFAULT_ITEM_PREFIX).removeprefix("- ")


def add_listed_questions(text: str, questions: Sequence[str]) -> str:
    """`text` (a whole topic file) with `questions` appended to its listed questions.

    Every other byte stays as it was: the new items go after the last item, indented like it,
    with the file's own line endings. A list written in flow style (`questions: [a, b]`) is
    rewritten as a block list; a missing key is added at the end of the front matter. The
    result is read back, and FrontMatterEditError is raised unless it holds exactly the old
    front matter with the questions added."""
    if not questions:
        return text
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.removeprefix(bom).splitlines(keepends=True)
    if not lines or not _BOUNDARY.match(lines[0].rstrip("\r\n")):
        raise FrontMatterEditError("the file does not start with front matter")
    closing = next(
        (i for i in range(1, len(lines)) if _BOUNDARY.match(lines[i].rstrip("\r\n"))), None
    )
    if closing is None:
        raise FrontMatterEditError("the front matter is not closed by a '---' line")
    front = lines[1:closing]
    before = _load(front)
    listed = before.get(QUESTIONS_KEY)
    old = list(listed) if isinstance(listed, list) else []
    key = next((i for i, line in enumerate(front) if re.match(rf"{QUESTIONS_KEY}\s*:", line)), None)
    if key is None:
        if QUESTIONS_KEY in before:
            raise FrontMatterEditError(f"'{QUESTIONS_KEY}' is not written as a plain key")
        front = [*front, f"{QUESTIONS_KEY}:{newline}"]
        key = len(front) - 1
    end = key + 1
    while end < len(front) and not _TOP_LEVEL_KEY.match(front[end]):
        end += 1
    value = front[key].split(":", 1)[1].split(" #", 1)[0].strip()
    if value:  # flow style or a scalar: write this one key as a block list
        block = dump_yaml({QUESTIONS_KEY: [*old, *questions]}).splitlines()
        front[key:end] = [line + newline for line in block]
    else:
        last = end
        while last > key + 1 and (not front[last - 1].strip() or front[last - 1][0] == "#"):
            last -= 1
        items = (_ITEM.match(line) for line in front[key + 1 : last])
        prefix = next((match.group(1) for match in items if match), DEFAULT_ITEM_PREFIX)
        front[last:last] = [prefix + _item_text(question) + newline for question in questions]
    after = _load(front)
    if after != {**before, QUESTIONS_KEY: [*old, *questions]}:
        raise FrontMatterEditError("the front matter would not read back as intended")
    return bom + "".join([lines[0], *front, *lines[closing:]])


def _load(front: Sequence[str]) -> dict[str, Any]:
    try:
        meta = _HANDLER.load("".join(front))
    except yaml.YAMLError as error:
        raise FrontMatterEditError(f"the front matter is not valid YAML: {error}") from error
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise FrontMatterEditError("the front matter is not a mapping of keys")
    return meta


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step, keeping its permissions; a new file is created
    exclusively (FileExistsError when it appeared meanwhile)."""
    if not path.exists():
        with path.open("x", encoding="utf-8", newline="") as file:
            file.write(text)
        return
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
