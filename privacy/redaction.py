"""Redaction of CPR numbers, phone numbers and e-mail addresses in free text."""

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = [
    "TOKENS",
    "Redaction",
    "RedactionKind",
    "is_valid_cpr",
    "redact",
    "redact_text",
]


class RedactionKind(StrEnum):
    """A kind of personal data that :func:`redact` removes."""

    CPR = "cpr"
    PHONE = "phone"
    EMAIL = "email"


TOKENS: Final[Mapping[RedactionKind, str]] = MappingProxyType(
    {
        RedactionKind.CPR: "[CPR-nummer fjernet]",
        RedactionKind.PHONE: "[telefonnummer fjernet]",
        RedactionKind.EMAIL: "[e-mail fjernet]",
    }
)
"""The Danish text that replaces each kind of personal data (shown to users)."""


@dataclass(frozen=True)
class Redaction:
    """The result of :func:`redact`: the cleaned text and what was taken out of it."""

    text: str
    removed: Mapping[RedactionKind, int] = field(hash=False)

    @property
    def changed(self) -> bool:
        """True when at least one piece of personal data was removed."""
        return any(self.removed.values())


# --- patterns -------------------------------------------------------------------------------
# Every pattern runs in linear time: no nested unbounded quantifiers.
# Digits are written [0-9]: \d would also match Arabic-Indic and other Unicode digits.

# Spaces that may separate digit groups (ordinary, no-break and narrow no-break space).
_SPACE = "[ \u00a0\u202f]"
# Characters that glue two digit runs into one number: "1.234", "12,5", "2024/0123", "12:30",
# "27.12.08-P20". A CPR or phone number must not be glued to other digits by one of these.
_JOIN = "[.,/:\u2013-]"
# CPR numbers are only glued by hyphen, en dash and dot, so "010190-1234, 020290-4321" and
# "010190-1234/020290-4321" are still two CPR numbers (privacy first).
_CPR_JOIN = "[.\u2013-]"

# The domain part of an e-mail address, with sub-domains and an alphabetic top-level domain.
# The local part is found by walking back from the "@" (see _redact_emails): a regex with an
# unbounded local part would either be quadratic or miss addresses glued to a removed one.
_EMAIL_DOMAIN_RE: Final = re.compile(r"@[^\W_][\w-]*(?:\.[\w-]+)*\.[^\W\d_]{2,}")
# Punctuation allowed in the local part besides word characters (\w: letters incl. æøå, digits
# and "_"; str.isalnum() or "_" is the same set).
_EMAIL_LOCAL_PUNCTUATION: Final = frozenset(".+%-_")

_CPR_RE: Final = re.compile(
    rf"(?<![0-9])(?<![0-9]{_CPR_JOIN})"
    r"(?P<date>[0-9]{6})[\u2013 \u00a0\u202f-]?(?P<serial>[0-9]{4})"
    rf"(?![0-9])(?!{_CPR_JOIN}[0-9])"
)

# A phone number starts with a digit, "+" or "(" and ends with a digit. It must not touch a
# letter or digit, nor a digit through a _JOIN character; the look-ahead mirrors the look-behind
# so that removing one number never turns a neighbour into a match (this keeps redaction
# idempotent).
_PHONE_RE: Final = re.compile(
    rf"(?<![\w+])(?<![0-9]{_JOIN})"
    r"(?:"
    # Danish: optional +45 / 0045 / (+45) / (45), then 8 digits as 12 34 56 78, 1234 5678
    # or 12345678.
    rf"(?:(?:\+45|0045|\(\+?45\)){_SPACE}?-?)?"
    rf"(?:[0-9]{{2}}(?:{_SPACE}[0-9]{{2}}){{3}}|[0-9]{{4}}{_SPACE}[0-9]{{4}}|[0-9]{{8}})"
    # International: + country code, 8-15 digits in all, grouped by spaces, "-" or "( )".
    r"|\+[1-9](?:[ \u00a0\u202f()-]{0,2}[0-9]){7,14}"
    r")"
    rf"(?![\w+(])(?!{_JOIN}[0-9+(])"
)

# Words and signs that make a number an amount or a percentage rather than a phone number.
_AMOUNT_BEFORE_RE: Final = re.compile(
    r"(?:\b(?:kr|mkr|dkk|eur|usd|gbp|sek|nok)\.?|[€$£])\s*\Z", re.IGNORECASE
)
_AMOUNT_AFTER_RE: Final = re.compile(
    r"\s*(?:(?:kr|mkr|kroner|dkk|eur|euro|usd|gbp|sek|nok|mio|mia|pct|procent)\b|[€$£%‰]|,-)",
    re.IGNORECASE,
)
_CONTEXT_CHARS: Final = 12


def is_valid_cpr(digits: str) -> bool:
    """Tell whether ten digits (no separator) form a CPR number with a real birth date.

    The century follows from the 7th digit: 0-3 means 1900s; 4 or 9 means 2000s when the year
    is 00-36, else 1900s; 5-8 means 2000s when the year is 00-57, else 1800s. The modulus-11
    check is deliberately not applied (CPR numbers without it have been issued since 2007).
    """
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    seventh = int(digits[6])
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if year <= 36 else 1900
    else:
        century = 2000 if year <= 57 else 1800
    try:
        dt.date(century + year, month, day)
    except ValueError:
        return False
    return True


def _is_cpr(match: re.Match[str]) -> bool:
    return is_valid_cpr(match["date"] + match["serial"])


def _is_phone(match: re.Match[str]) -> bool:
    text = match.string
    before = text[max(0, match.start() - _CONTEXT_CHARS) : match.start()]
    after = text[match.end() : match.end() + _CONTEXT_CHARS]
    return not (_AMOUNT_BEFORE_RE.search(before) or _AMOUNT_AFTER_RE.match(after))


def _replace(
    pattern: re.Pattern[str],
    token: str,
    text: str,
    accept: Callable[[re.Match[str]], bool],
) -> tuple[str, int]:
    """Replace each match that ``accept`` approves with ``token``; return text and count."""
    count = 0

    def substitute(match: re.Match[str]) -> str:
        nonlocal count
        if not accept(match):
            return match.group()
        count += 1
        return token

    return pattern.sub(substitute, text), count


def _redact_emails(text: str) -> tuple[str, int]:
    """Replace e-mail addresses with their token; return text and count.

    The local part is the run of local-part characters right before the "@", but it never
    reaches back into the previous removal, so addresses written back to back are all found.
    """
    pieces: list[str] = []
    done = 0  # text[:done] has been copied to pieces
    for match in _EMAIL_DOMAIN_RE.finditer(text):
        start = match.start()
        while start > done and (
            text[start - 1].isalnum() or text[start - 1] in _EMAIL_LOCAL_PUNCTUATION
        ):
            start -= 1
        if start < match.start():
            pieces += (text[done:start], TOKENS[RedactionKind.EMAIL])
            done = match.end()
    if not pieces:
        return text, 0
    pieces.append(text[done:])
    return "".join(pieces), len(pieces) // 2


def redact(text: str) -> Redaction:
    """Remove e-mail addresses, CPR numbers and phone numbers from ``text``.

    Each removal is replaced by a Danish token (see ``TOKENS``). The passes run in this order:

    1. E-mail addresses (``søren.ø@kommune.dk``, plus-tags, sub-domains), so that digits in
       an address are not mistaken for a CPR or phone number.
    2. CPR numbers: ``DDMMYY-SSSS``, ``DDMMYYSSSS`` or with a space or en dash instead of the
       hyphen, whose date is real under the century rule of :func:`is_valid_cpr`. Digits that
       belong to a longer run (``0101901234567``) or are glued to other digits by ``-``, ``–``
       or ``.`` are not a CPR number; invalid dates are left alone.
    3. Phone numbers: eight Danish digits written ``12 34 56 78``, ``1234 5678`` or
       ``12345678``, optionally after ``+45``, ``0045`` or ``(+45)``; and international numbers
       ``+<country code> …`` with 8-15 digits in all. A number is not a phone number when it
       touches a letter or digit, is glued to other digits by ``. , / : -`` (dates such as
       ``01-01-2024`` or ``2024-01-01``, amounts such as ``1.234.567``, times, case numbers
       such as ``27.12.08-P20-1-24`` or ``2024/0123``), or when it stands next to an amount
       word or sign (``kr.``, ``kroner``, ``DKK``, ``€``, ``%``, ``mio.`` …). A bare run of
       eight digits such as ``20240101`` is treated as a phone number unless such amount
       context says otherwise: it cannot be told apart from a real number, and removing a
       date by mistake costs less than leaking a phone number.

    Redaction is idempotent and the tokens are never redacted again. All patterns run in
    linear time, so long inputs are safe.
    """
    removed: dict[RedactionKind, int] = {}
    if "@" in text:
        text, removed[RedactionKind.EMAIL] = _redact_emails(text)
    if any(char in "0123456789" for char in text):
        text, removed[RedactionKind.CPR] = _replace(
            _CPR_RE, TOKENS[RedactionKind.CPR], text, _is_cpr
        )
        text, removed[RedactionKind.PHONE] = _replace(
            _PHONE_RE, TOKENS[RedactionKind.PHONE], text, _is_phone
        )
    counts = {kind: removed[kind] for kind in RedactionKind if removed.get(kind)}
    return Redaction(text=text, removed=MappingProxyType(counts))


def redact_text(text: str) -> str:
    """Return ``text`` with personal data removed (shortcut for ``redact(text).text``)."""
    return redact(text).text
