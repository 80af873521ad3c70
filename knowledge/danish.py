"""Danish text basics: normalisation, words, stop words, stems and regular inflections."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import snowballstemmer

_PUNCTUATION = str.maketrans({"‐": "-", "‑": "-", "’": "'", "`": "'", "´": "'"})
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_VOWELS = frozenset("aeiouyæøå")
# Regular Danish endings (plural, definite, genitive, verb forms) used to match a listed
# synonym in its inflected forms without stemming it (stemming merges bruger and brugeren).
_ENDINGS = (
    *("e", "n", "r", "s", "t", "en", "et", "er", "es", "ne", "de", "te", "rne", "ene"),
    *("ere", "ens", "ets", "ers", "erne", "ernes", "ede", "ende"),
)
_DOUBLED_ENDINGS = ("e", "en", "et", "er", "erne", "ens", "ets", "ede")


def _load_stopwords() -> frozenset[str]:
    text = resources.files("knowledge").joinpath("data/stopwords_da.txt").read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


STOPWORDS = _load_stopwords()
_stemmer = snowballstemmer.stemmer("danish")
_stem_lock = threading.Lock()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball Danish stem of a normalised word."""
    with _stem_lock:
        return str(_stemmer.stemWord(word))


def normalise(text: str) -> str:
    """Unicode NFKC, case-folded, with dash and apostrophe variants unified."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_PUNCTUATION)


@dataclass(frozen=True)
class Word:
    """One word of a text: its form (hyphens removed) and its hyphen parts, if any."""

    form: str
    parts: tuple[str, ...] = ()

    @property
    def stop(self) -> bool:
        return self.form in STOPWORDS


def words(text: str) -> list[Word]:
    """Words of a text; `DPO'en` → dpo, `CPR-nummer` → cprnummer with parts (cpr, nummer)."""
    result: list[Word] = []
    for match in _WORD.finditer(normalise(text)):
        pieces = [piece.split("'")[0] for piece in match.group().split("-")]
        pieces = [piece for piece in pieces if piece and not piece.isdigit()]
        if not pieces:
            continue
        form = "".join(pieces)
        if len(form) < 2:
            continue
        result.append(Word(form, tuple(pieces) if len(pieces) > 1 else ()))
    return result


@lru_cache(maxsize=8192)
def inflections(word: str) -> frozenset[str]:
    """The word with regular Danish endings (borger: borgere, borgeren, borgerne …;
    chatbot: chatbotten)."""
    forms = {word, *(word + ending for ending in _ENDINGS)}
    if len(word) >= 3 and word[-1] not in _VOWELS and word[-2] in _VOWELS:
        forms.update(word + word[-1] + ending for ending in _DOUBLED_ENDINGS)
    return frozenset(forms)
