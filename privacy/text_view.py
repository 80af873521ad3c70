"""A matching view of free text: ASCII digits, plain dashes and spaces, no invisible characters."""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

__all__ = ["TextView", "text_view"]

# Invisible formatting characters dropped from the view, so "0\u200b1" reads as "01": soft
# hyphen, combining grapheme joiner, Arabic letter mark, Hangul fillers, Mongolian vowel
# separator, zero-width space/non-joiner/joiner, direction marks and embeddings, word joiner,
# invisible operators, isolates, variation selectors, byte order mark, interlinear annotation
# marks, musical formatting, tags.
_INVISIBLE: Final = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
# Spaces other than the ordinary, no-break and narrow no-break space (which the patterns name).
_SPACES: Final = "\u1680\u2000-\u200a\u205f\u3000"
# Hyphens and minus signs other than "-" and the en dash (which the patterns name).
_DASHES: Final = "\u2010\u2011\u2012\u2212\ufe58\ufe63"
# Full-width forms of the ASCII characters "!" to "~" (digits, "@", "-", ".", letters …).
_FULL_WIDTH_FIRST: Final = 0xFF01
_FULL_WIDTH_LAST: Final = 0xFF5E
_FULL_WIDTH_OFFSET: Final = 0xFEE0

# One character the view changes: one of the above, or a decimal digit that is not ASCII
# (\d matches every Unicode decimal digit: full-width, Arabic-Indic, Devanagari …).
_SPECIAL_RE: Final = re.compile(f"[{_INVISIBLE}{_SPACES}{_DASHES}\uff01-\uff5e]|(?![0-9])\\d")


def _expand(ranges: str) -> list[str]:
    """The characters of a character class written as single characters and "a-b" ranges."""
    chars: list[str] = []
    index = 0
    while index < len(ranges):
        if index + 2 < len(ranges) and ranges[index + 1] == "-":
            chars += map(chr, range(ord(ranges[index]), ord(ranges[index + 2]) + 1))
            index += 3
        else:
            chars.append(ranges[index])
            index += 1
    return chars


# What each special character except the digits becomes in the view ("" when dropped).
_VIEW_CHARS: Final[Mapping[str, str]] = MappingProxyType(
    {
        **{char: "" for char in _expand(_INVISIBLE)},
        **{char: " " for char in _expand(_SPACES)},
        **{char: "-" for char in _expand(_DASHES)},
        **{
            chr(code): chr(code - _FULL_WIDTH_OFFSET)
            for code in range(_FULL_WIDTH_FIRST, _FULL_WIDTH_LAST + 1)
        },
    }
)


@dataclass(frozen=True)
class TextView:
    """``text`` as the patterns see it; ``origin[i]`` is the index in ``original`` of
    ``text[i]``. ``origin`` is None when the view is the original text itself."""

    original: str
    text: str
    origin: list[int] | None


def _view_char(char: str) -> str:
    """What one special character becomes in the view ("" when it is dropped)."""
    mapped = _VIEW_CHARS.get(char)
    if mapped is not None:
        return mapped
    digit = unicodedata.decimal(char, None)
    return char if digit is None else str(digit)


def text_view(text: str) -> TextView:
    """The view of ``text`` in which every decimal digit is ASCII, other hyphens are "-",
    other spaces are " ", full-width characters are ASCII and invisible characters are gone.

    Each character of the view comes from exactly one character of ``text`` (in order), so a
    span of the view maps back to a span of the original text.
    """
    if text.isascii() or _SPECIAL_RE.search(text) is None:
        return TextView(original=text, text=text, origin=None)
    pieces: list[str] = []
    origin: list[int] = []
    done = 0  # text[:done] is in pieces
    for match in _SPECIAL_RE.finditer(text):
        start = match.start()
        pieces.append(text[done:start])
        origin.extend(range(done, start))
        replacement = _view_char(match.group())
        if replacement:
            pieces.append(replacement)
            origin.append(start)
        done = match.end()
    pieces.append(text[done:])
    origin.extend(range(done, len(text)))
    return TextView(original=text, text="".join(pieces), origin=origin)
