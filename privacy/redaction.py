"""Redaction of CPR numbers, phone numbers and e-mail addresses in free text."""

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from privacy.text_view import text_view

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
# The patterns run on the view of the text (privacy.text_view): every digit is ASCII, other
# hyphens are "-", invisible characters are gone. Every pattern runs in linear time: no nested
# unbounded quantifiers. Digits are written [0-9]: \d would also match other Unicode digits.

# Spaces that may separate digit groups (ordinary, no-break and narrow no-break space).
_SPACE = "[ \u00a0\u202f]"
# Characters that glue two digit runs into one number: "1.234", "12,5", "2024/0123", "12:30",
# "27.12.08-P20". A CPR or phone number must not be glued to other digits by one of these.
_JOIN = "[.,/:\u2013-]"
# CPR numbers are only glued by hyphen, en dash and dot, so "010190-1234, 020290-4321" and
# "010190-1234/020290-4321" are still two CPR numbers (privacy first).
_CPR_JOIN = "[.\u2013-]"

# --- e-mail addresses
# "@" or "(at)", "[at]", "{at}" (any case, a space allowed inside the brackets).
_AT = r"(?:@|[(\[{] ?[aA][tT] ?[)\]}])"
# "." or "(dot)", "[dot]", "{dot}" between the labels of a domain.
_DOT = r"(?:\.| ?[(\[{] ?[dD][oO][tT] ?[)\]}] ?)"
_GAP = "[ \t\u00a0\u202f]{0,3}"
_HOST_WITH_TLD = rf"[^\W_][\w-]*(?:{_DOT}[\w-]+)*{_DOT}[^\W\d_]{{2,}}"
_HOST_WITHOUT_TLD = r"[^\W\d_][\w-]*"
_IP_LITERAL = r"\[(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[iI][pP][vV]6:[0-9A-Fa-f:.]{2,45})\]"
# The domain part with the "@" before it. A plain "@" may be followed by a host without a
# top-level domain ("navn@kommune"); "@" with spaces around it and "(at)" need a full domain
# or an IP literal, so that "3 stk @ 25 kr" stays. The local part is found by walking back from
# the match (see _find_emails): a regex with an unbounded local part would either be
# quadratic or miss addresses glued to a removed one.
_EMAIL_DOMAIN_RE: Final = re.compile(
    rf"@(?:{_IP_LITERAL}|{_HOST_WITH_TLD}|{_HOST_WITHOUT_TLD})"
    rf"|{_GAP}{_AT}{_GAP}(?:{_IP_LITERAL}|{_HOST_WITH_TLD})"
)
# Something that may start an e-mail address: the text is only searched when it has one.
_EMAIL_HINT_RE: Final = re.compile(rf"@|{_AT}")
# Punctuation allowed in the local part besides word characters (\w: letters incl. æøå, digits
# and "_"; str.isalnum() or "_" is the same set).
_EMAIL_LOCAL_PUNCTUATION: Final = frozenset(".+%-_")

# --- CPR numbers
# Between the parts of the birth date: nothing or one of these, the same twice
# ("01.01.90", "01-01-1990", "01 01 90", "01/01/90") or only before the year ("0101-90").
_DATE_SEPARATOR = "[-./ \u00a0\u202f\u2013]"
# Between the birth date and the serial number: nothing, a space, or "-", "–", "/", ".", "_"
# with a space allowed on either side ("010190- 1234", "010190 - 1234").
_SERIAL_SEPARATOR = r" ?[-\u2013/._] ?|[ \u00a0\u202f]"
_CPR_RE: Final = re.compile(
    rf"(?<![0-9])(?<![0-9]{_CPR_JOIN})"
    rf"(?P<day>[0-9]{{2}})(?P<first>{_DATE_SEPARATOR}?)(?P<month>[0-9]{{2}})"
    rf"(?P<second>{_DATE_SEPARATOR}?)(?P<century>1[89]|20)?(?P<year>[0-9]{{2}})"
    rf"(?P<third>{_SERIAL_SEPARATOR})?(?P<serial>[0-9]{{4}})"
    rf"(?![0-9])(?!{_CPR_JOIN}[0-9])"
)

# --- phone numbers
# A phone number starts with a digit, "+" or "(" and ends with a digit. It must not touch a
# letter or digit, nor a digit through a _JOIN character; the look-ahead mirrors the look-behind
# so that removing one number never turns a neighbour into a match (this keeps redaction
# idempotent).
_PHONE_RE: Final = re.compile(
    rf"(?<![\w+])(?<![0-9]{_JOIN})"
    r"(?:"
    # Danish: optional +45 / 0045 / (+45) / (45), then 8 digits as 12 34 56 78, 12-34-56-78,
    # 12.34.56.78 (one separator throughout), 1234 5678, 123 45 678 or 12345678.
    rf"(?:(?:\+45|0045|\(\+?45\)){_SPACE}?-?)?"
    r"(?:[0-9]{2}(?P<separator>[ \u00a0\u202f.-])[0-9]{2}(?P=separator)[0-9]{2}"
    r"(?P=separator)[0-9]{2}"
    rf"|[0-9]{{4}}{_SPACE}[0-9]{{4}}|[0-9]{{3}}{_SPACE}[0-9]{{2}}{_SPACE}[0-9]{{3}}|[0-9]{{8}})"
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
_DIGIT_RE: Final = re.compile("[0-9]")

Span = tuple[int, int]


def is_valid_cpr(digits: str) -> bool:
    """Tell whether ten digits (no separator) form a CPR number with a real birth date.

    The century follows from the 7th digit: 0-3 means 1900s; 4 or 9 means 2000s when the year
    is 00-36, else 1900s; 5-8 means 2000s when the year is 00-57, else 1800s. The modulus-11
    check is deliberately not applied (CPR numbers without it have been issued since 2007).
    """
    return _birth_year(digits) is not None


def _birth_year(digits: str) -> int | None:
    """The full birth year of a valid CPR number (ten ASCII digits), else None."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return None
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
        return None
    return century + year


def _is_amount(text: str, start: int, end: int) -> bool:
    """True when an amount word or sign stands right before or after text[start:end]."""
    before = text[max(0, start - _CONTEXT_CHARS) : start]
    after = text[end : end + _CONTEXT_CHARS]
    return bool(_AMOUNT_BEFORE_RE.search(before) or _AMOUNT_AFTER_RE.match(after))


def _is_cpr(match: re.Match[str]) -> bool:
    first, second, third = match["first"], match["second"], match["third"] or ""
    if first != second and not (first == "" and third.strip() == second.strip() != ""):
        return False  # "01.0190-1234", "2012-123456": not a way to write a birth date
    if first == "." and "." in third:
        return False  # "10.11.12.1234" is a version number
    if match["century"] is not None and first == "":
        return False  # a four-digit year only in a written date: "01.01.1990-1234"
    birth_year = _birth_year(match["day"] + match["month"] + match["year"] + match["serial"])
    if birth_year is None:
        return False
    if match["century"] is not None and int(match["century"] + match["year"]) != birth_year:
        return False  # "01.01.2024 1234": the serial number says 1924, so it is a date
    if first and not third.strip():
        # a date, a space and four digits: "01.01.24 1500 kr." is an amount
        return not _is_amount(match.string, match.start(), match.end())
    return True


def _is_phone(match: re.Match[str]) -> bool:
    return not _is_amount(match.string, match.start(), match.end())


def _find(
    pattern: re.Pattern[str], accept: Callable[[re.Match[str]], bool]
) -> Callable[[str], list[Span]]:
    """A finder of the spans of ``pattern`` that ``accept`` approves."""

    def find(text: str) -> list[Span]:
        if _DIGIT_RE.search(text) is None:
            return []
        return [match.span() for match in pattern.finditer(text) if accept(match)]

    return find


def _find_emails(text: str) -> list[Span]:
    """The spans of e-mail addresses in ``text``.

    The local part is the run of local-part characters right before the "@" (and the spaces
    that may follow it), but it never reaches back into the previous address, so addresses
    written back to back are all found.
    """
    spans: list[Span] = []
    if _EMAIL_HINT_RE.search(text) is None:
        return spans
    done = 0  # the end of the last address
    for match in _EMAIL_DOMAIN_RE.finditer(text):
        start = match.start()
        while start > done and (
            text[start - 1].isalnum() or text[start - 1] in _EMAIL_LOCAL_PUNCTUATION
        ):
            start -= 1
        if start < match.start():
            spans.append((start, match.end()))
            done = match.end()
    return spans


_PASSES: Final[tuple[tuple[RedactionKind, Callable[[str], list[Span]]], ...]] = (
    (RedactionKind.EMAIL, _find_emails),
    (RedactionKind.CPR, _find(_CPR_RE, _is_cpr)),
    (RedactionKind.PHONE, _find(_PHONE_RE, _is_phone)),
)


def _substitute(text: str, spans: list[Span], token: str) -> str:
    pieces: list[str] = []
    done = 0
    for start, end in spans:
        pieces += (text[done:start], token)
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _substitute_origin(origin: list[int], spans: list[Span], token: str) -> list[int]:
    """The origin map after _substitute: token characters come from nowhere (-1)."""
    mapped: list[int] = []
    done = 0
    for start, end in spans:
        mapped += origin[done:start]
        mapped += [-1] * len(token)
        done = end
    mapped += origin[done:]
    return mapped


def redact(text: str) -> Redaction:
    """Remove e-mail addresses, CPR numbers and phone numbers from ``text``.

    The text is first read through a view (privacy.text_view) in which every decimal digit is
    ASCII (full-width ``０１``, Arabic-Indic …), other hyphens are ``-``, other spaces are
    spaces, full-width ``＠`` is ``@`` and invisible characters (zero-width space, joiners,
    word joiner, soft hyphen, byte order mark …) are gone. What is found in the view is cut
    from the original text; everything else is returned exactly as written (Danish letters,
    emoji, digits of other scripts, the invisible characters outside a removal).

    Each removal is replaced by a Danish token (see ``TOKENS``). The passes run in this order:

    1. E-mail addresses (``søren.ø@kommune.dk``, plus-tags, sub-domains, ``navn(at)kommune.dk``,
       ``navn [at] kommune.dk``, ``navn @ kommune.dk``, ``navn@kommune`` without a top-level
       domain, ``navn@[10.0.0.1]``), so that digits in an address are not mistaken for a CPR or
       phone number. With spaces around the ``@`` or with ``(at)`` the domain must have a
       top-level domain or be an IP literal (``3 stk @ 25 kr`` stays).
    2. CPR numbers whose date is real under the century rule of :func:`is_valid_cpr`: six
       digits and four digits, with nothing, a space, or ``-``, ``–``, ``/``, ``.``, ``_``
       (a space allowed on either side) between them (``010190-1234``, ``010190/1234``,
       ``010190- 1234``); or a written date and four digits: ``01.01.90-1234``,
       ``01-01-90 1234``, ``01 01 90 1234``, ``01/01/90-1234``, ``0101-90-1234`` and with a
       four-digit year ``01.01.1990-1234`` when the year agrees with the serial number's
       century. Digits that belong to a longer run (``0101901234567``) or are glued to other
       digits by ``-``, ``–`` or ``.`` are not a CPR number; invalid dates, version numbers
       (``10.11.12.1234``), case numbers (``2012-123456``) and a date followed by an amount
       (``01.01.24 1500 kr.``) are left alone.
    3. Phone numbers: eight Danish digits written ``12 34 56 78``, ``12-34-56-78``,
       ``12.34.56.78``, ``1234 5678``, ``123 45 678`` or ``12345678``, optionally after
       ``+45``, ``0045`` or ``(+45)``; and international numbers ``+<country code> …`` with
       8-15 digits in all. A number is not a phone number when it touches a letter or digit,
       is glued to other digits by ``. , / : -`` (dates such as ``01-01-2024`` or
       ``2024-01-01``, amounts such as ``1.234.567``, times, case numbers such as
       ``27.12.08-P20-1-24`` or ``2024/0123``), or when it stands next to an amount word or
       sign (``kr.``, ``kroner``, ``DKK``, ``€``, ``%``, ``mio.`` …). A bare run of eight
       digits such as ``20240101`` is treated as a phone number unless such amount context
       says otherwise: it cannot be told apart from a real number, and removing a date by
       mistake costs less than leaking a phone number. Four two-digit groups with dots
       (``10.20.30.40``) are taken for a phone number even when they are an IP address.

    Redaction is idempotent and the tokens are never redacted again. All patterns run in
    linear time, so long inputs are safe.
    """
    view = text_view(text)
    current, origin = view.text, view.origin
    cuts: list[tuple[int, int, str]] = []  # spans of the original text and their tokens
    removed: dict[RedactionKind, int] = {}
    for kind, find in _PASSES:
        spans = find(current)
        if not spans:
            continue
        removed[kind] = len(spans)
        token = TOKENS[kind]
        if origin is not None:
            # No pattern matches a token's letters, so both ends come from the original text.
            cuts += ((origin[start], origin[end - 1] + 1, token) for start, end in spans)
            origin = _substitute_origin(origin, spans, token)
        current = _substitute(current, spans, token)
    if view.origin is not None and cuts:
        cuts.sort()
        pieces: list[str] = []
        done = 0
        for start, end, token in cuts:
            pieces += (text[done:start], token)
            done = end
        pieces.append(text[done:])
        current = "".join(pieces)
    elif view.origin is not None:
        current = text
    counts = {kind: removed[kind] for kind in RedactionKind if removed.get(kind)}
    return Redaction(text=current, removed=MappingProxyType(counts))


def redact_text(text: str) -> str:
    """Return ``text`` with personal data removed (shortcut for ``redact(text).text``)."""
    return redact(text).text
