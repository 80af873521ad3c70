"""Kompas's Markdown (content/ and templates) as Slack's mrkdwn, cut into text-block pieces."""

from __future__ import annotations

import re

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")
_QUOTE = re.compile(r"^(\s*)&gt;\s?")  # a "> quote" line, after escaping
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ITALIC = re.compile(r"(?<![*\w])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_BLANK_LINES = re.compile(r"\n\s*\n")
# A person's mention as Kompas writes it (Addressing.chat_link): <@U…> or <@W…>, after escaping.
# Group pings (<!channel>, <!here>, user groups) and links stay escaped text.
_USER_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]{2,})&gt;")
# Placeholders for bold while single-star italics are converted (never in real text).
_BOLD_OPEN, _BOLD_CLOSE = "\x00b", "\x00/b"


def escape(text: str) -> str:
    """Slack's three control characters escaped (&, <, >), so text cannot ping or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(markdown: str) -> str:
    """Markdown as mrkdwn: **bold** → *bold*, *italic* → _italic_, [text](url) → <url|text>,
    headings → bold lines, "-"/"*" bullets → "•", "> " quotes and a person's <@U…> mention
    kept; the rest escaped as text (no <!channel> pings, no hidden links)."""
    lines = []
    for raw in escape(markdown.replace("\r\n", "\n")).split("\n"):
        heading = _HEADING.match(raw)
        if heading:
            lines.append(f"{_BOLD_OPEN}{heading.group(1)}{_BOLD_CLOSE}")
            continue
        line = _QUOTE.sub(r"\1> ", raw.rstrip())  # Slack quotes lines starting with ">"
        lines.append(_BULLET.sub(r"\1• ", line))
    text = "\n".join(lines)
    text = _BOLD.sub(lambda m: f"{_BOLD_OPEN}{m.group(1) or m.group(2)}{_BOLD_CLOSE}", text)
    text = _ITALIC.sub(r"_\1_", text)
    text = _LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1).replace('|', '¦')}>", text)
    text = _USER_MENTION.sub(r"<@\1>", text)
    return text.replace(_BOLD_OPEN, "*").replace(_BOLD_CLOSE, "*").strip()


def pieces(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut between paragraphs where possible,
    else between lines or words (a single word longer than that is cut)."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    found: list[str] = []
    current = ""
    for paragraph in _BLANK_LINES.split(text):
        for piece in _fit(paragraph.strip(), limit):
            joined = f"{current}\n\n{piece}" if current else piece
            if len(joined) <= limit:
                current = joined
            else:
                found.append(current)
                current = piece
    if current:
        found.append(current)
    return found


def _fit(paragraph: str, limit: int) -> list[str]:
    """One paragraph in pieces of at most `limit` characters (by lines, then by words)."""
    if len(paragraph) <= limit:
        return [paragraph]
    found: list[str] = []
    current = ""
    for word in re.split(r"(?<=\n)|(?<= )", paragraph):
        while len(word) > limit:
            if current:
                found.append(current.rstrip())
                current = ""
            found.append(word[:limit])
            word = word[limit:]
        if len(current) + len(word) > limit:
            found.append(current.rstrip())
            current = ""
        current += word
    if current.strip():
        found.append(current.rstrip())
    return found
