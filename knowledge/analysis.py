"""Danish analysis tied to the content vocabulary: compounds, synonyms, typos, query concepts."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from knowledge.danish import STOPWORDS, Word, stem, words
from knowledge.lexicon import GeneralLexicon
from knowledge.synonyms import SynonymGroups, SynonymMatcher

HYPHEN_PART_WEIGHT = 1.0  # parts of an explicitly hyphenated word (CPR-nummer: cpr, nummer)
COMPOUND_PART_WEIGHT = 0.5  # parts found by splitting a closed compound (cprnummer)
SYNONYM_WEIGHT = 0.8  # a query word that matches only through a synonym group
FUZZY_WEIGHTS = {1: 0.8, 2: 0.6}  # a misspelt query word mapped to a word at edit distance d
RELATIVE_WEIGHT = 0.7  # an unknown query word matched to a word with the same root
MIN_ROOT = 5  # shortest root for that
MAX_ENDING = 5  # longest ending that may differ (-ning, -else, -ion, -ering)
MIN_PART = 3  # shortest compound part
MIN_MODIFIER = 4  # a compound whose head is unknown: shortest known modifier kept from it
MIN_UNKNOWN_HEAD = 4  # … and shortest unknown head (sikkerheds-folder: sikkerhed, folder)
RESOLVE_CACHE_SIZE = 50_000  # query words remembered with what they resolved to
LINKING_LETTERS = ("s", "e")  # Danish linking letters: sikkerhed-s-hændelse, børn-e-have
# Danish inflectional and derivational endings: never compound parts (borger-ens, vurder-inger).
ENDINGS = frozenset(
    {"ende", "ene", "ens", "ere", "erne", "ers", "est", "hed", "heder", "ing", "inger", "ingen"}
    | {"ings", "isk", "iske", "lig", "lige", "ligt", "ligere", "ligst", "lighed", "else", "elser"}
    | {"ser", "sen"}
)
# What may differ between two words of one root (afprøve ~ afprøvning, instruks ~ instruktion),
# as opposed to another word glued on (visit ~ visitkort, adgang ~ adgangskoder).
DERIVATIONAL_ENDINGS = frozenset(
    {"e", "er", "ere", "ing", "ning", "ering", "else", "ion", "tion", "ation", "hed", "ighed"}
    | {"lig", "isk", "ør", "ist", "ende", "ent", "ens", "ig", "ive", "iv"}
)
_TRANSLITERATIONS = (("aa", "å"), ("ae", "æ"), ("oe", "ø"))  # typed without a Danish keyboard


@dataclass
class Concept:
    """One content word of a question and the index terms that count as finding it."""

    text: str
    alternatives: dict[str, float] = field(default_factory=dict)

    def add(self, term: str, weight: float) -> None:
        if weight > self.alternatives.get(term, 0.0):
            self.alternatives[term] = weight


class Analyzer:
    """Analysis tied to a content vocabulary (for decompounding and typo correction)."""

    def __init__(
        self,
        texts: Iterable[str],
        synonym_groups: SynonymGroups = (),
        lexicon: GeneralLexicon | None = None,
    ) -> None:
        self._lexicon = lexicon  # general Danish: real words are not typos or fragments
        counts: Counter[str] = Counter()
        for text in [*texts, *(member for group in synonym_groups for member in group)]:
            for word in words(text):
                counts.update(part for part in (word.form, *word.parts) if part not in STOPWORDS)
        self._counts = counts
        self._stem_counts: Counter[str] = Counter()
        surface: dict[str, str] = {}
        for form, count in counts.most_common():
            self._stem_counts[stem(form)] += count
            surface.setdefault(stem(form), form)
        self._surface = surface  # the most frequent form of each stem
        self._by_length = _by_length(counts)
        self._stems_by_length = _by_length(self._stem_counts)
        self._split_cache: dict[str, tuple[str, ...] | None] = {}
        self._resolved: dict[str, list[tuple[str, float]]] = {}
        self._extensions: defaultdict[str, list[str]] = defaultdict(list)  # root → longer stems
        for other in self._stem_counts:
            for size in range(max(MIN_ROOT, len(other) - MAX_ENDING), len(other)):
                self._extensions[other[:size]].append(other)
        self.synonyms = SynonymMatcher(synonym_groups)

    @property
    def vocabulary(self) -> frozenset[str]:
        """Word forms of the content and the synonyms (stop words excluded)."""
        return frozenset(self._counts)

    def known(self, form: str) -> bool:
        """True when the word, or another inflection of it, occurs in the content."""
        return form in self._counts or stem(form) in self._stem_counts

    # -- compounds ------------------------------------------------------------------------

    def _word(self, part: str, *, inflected: bool) -> bool:
        """True when `part` can be a compound part: a content word, not a stop word or ending."""
        if len(part) < MIN_PART or part in STOPWORDS or part in ENDINGS:
            return False
        if part in self._counts:
            return True
        return inflected and len(part) >= 5 and stem(part) in self._stem_counts

    def _head(self, part: str) -> str | None:
        """The content word a modifier stands for: as is, without a linking letter
        (sikkerhed-s-, børn-e-) or with its final e dropped before the s (arbejd-s- = arbejde)."""
        candidates = [part]
        if part[-1] in LINKING_LETTERS:
            candidates.append(part[:-1])
        if part[-1] == "s":
            candidates.append(part[:-1] + "e")
        for candidate in candidates:
            if self._word(candidate, inflected=False):
                return candidate
        return None

    def split_compound(self, form: str) -> tuple[str, ...] | None:
        """Split a closed compound into known parts (up to three), e.g. cprnummer → cpr+nummer."""
        cached = self._split_cache.get(form, ())
        if cached != ():
            return cached
        if len(self._split_cache) >= RESOLVE_CACHE_SIZE:
            self._split_cache.clear()
        found = self._split_cache[form] = self._split(form, 3)
        return found

    def _split(self, form: str, most: int) -> tuple[str, ...] | None:
        best: tuple[str, ...] | None = None
        for cut in range(MIN_PART, len(form) - MIN_PART + 1):
            head = self._head(form[:cut])
            if head is None or stem(head) == stem(form):  # borgerens is borger, inflected
                continue
            tail = form[cut:]
            if self._word(tail, inflected=True):
                candidate: tuple[str, ...] | None = (head, tail)
            else:
                rest = self._split(tail, most - 1) if most > 2 else None
                candidate = (head, *rest) if rest else None
            if candidate and (best is None or _split_rank(candidate) > _split_rank(best)):
                best = candidate
        return best

    # -- unknown words ----------------------------------------------------------------------

    def correct(self, form: str) -> tuple[str, float] | None:
        """A content word within a small edit distance of a misspelt word, with its weight;
        the word and its stem are both compared (persondatta, halucinationer). An ordinary
        Danish word is not a misspelling (lavede is not lavere, skærm is not skærer)."""
        if self._lexicon is not None and self._lexicon.is_common(form):
            return None
        best: tuple[int, int, str] | None = None
        for query, pool, counts in (
            (form, self._by_length, self._counts),
            (stem(form), self._stems_by_length, self._stem_counts),
        ):
            limit = _typo_limit(query)
            if limit == 0:
                continue
            choices = [
                w
                for n in range(len(query) - limit, len(query) + limit + 1)
                for w in pool.get(n, ())
            ]
            hits = process.extract(
                query, choices, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=10
            )
            for word, distance, _ in hits:
                swapped = sorted(word) == sorted(query)
                if not swapped and (len(query) < 5 or word[0] != query[0]):
                    continue  # 4 letters: only swapped letters; first letters are rarely wrong
                surface = word if pool is self._by_length else self._surface[word]
                candidate = (int(distance), -counts[word], surface)
                if best is None or candidate < best:
                    best = candidate
        return (best[2], FUZZY_WEIGHTS[best[0]]) if best else None

    def relative(self, form: str) -> tuple[str, float] | None:
        """A content word from the same root, differing only by a derivational ending
        (afprøve ~ afprøvning, tilmelder ~ tilmelding)."""
        own = stem(form)
        if len(own) < MIN_ROOT:
            return None
        longer = self._extensions.get(own, [])
        shorter = [own[:n] for n in range(max(MIN_ROOT, len(own) - MAX_ENDING), len(own))]
        candidates = [
            (abs(len(other) - len(own)), -self._stem_counts[other], self._surface[other])
            for other in [*longer, *(s for s in shorter if s in self._stem_counts)]
            if _derived(own, other)
        ]
        return (min(candidates)[2], RELATIVE_WEIGHT) if candidates else None

    def _resolve(self, form: str) -> list[tuple[str, float]]:
        """Content words (with weights) a query word stands for; [] for a stop word."""
        found = self._resolved.get(form)
        if found is None:
            if len(self._resolved) >= RESOLVE_CACHE_SIZE:
                self._resolved.clear()
            found = self._resolved[form] = self._look_up(form)
        return found

    def _look_up(self, form: str) -> list[tuple[str, float]]:
        if form in STOPWORDS:
            return []
        if self.known(form):
            return [(form, 1.0)]
        for variant in transliterations(form):
            if variant in STOPWORDS or self.known(variant):
                return self._look_up(variant)
        parts = self.split_compound(form)
        if parts:
            return [(part, 1.0) for part in parts]
        corrected = self.correct(form)
        if corrected:
            return [corrected]
        split = self.split_modifier(form)
        if split:
            return split
        related = self.relative(form)
        return [related] if related else [(form, 1.0)]

    def split_modifier(self, form: str) -> list[tuple[str, float]] | None:
        """An unknown compound whose first part is a content word and whose head is not
        (sikkerheds-folder): the known modifier and the unknown head, so that the question
        matches what it can and counts the rest as not understood."""
        for cut in range(len(form) - MIN_UNKNOWN_HEAD, MIN_MODIFIER - 1, -1):
            modifier = self._head(form[:cut])
            head = form[cut:]
            if modifier is None or len(modifier) < MIN_MODIFIER:
                continue
            if self._lexicon is None or self._lexicon.is_word(head):  # not person+alefesten
                return [(modifier, 1.0), (head, 1.0)]
        return None

    # -- documents and queries --------------------------------------------------------------

    def document_terms(self, text: str) -> dict[str, float]:
        """Weighted index terms of a text: stems, compound parts and synonym-group terms."""
        terms: defaultdict[str, float] = defaultdict(float)
        sentence = words(text)
        for word in sentence:
            if word.stop:
                continue
            terms[stem(word.form)] += 1.0
            if word.parts:
                for part in word.parts:
                    if part not in STOPWORDS:
                        terms[stem(part)] += HYPHEN_PART_WEIGHT
            elif len(word.form) >= 2 * MIN_PART:
                for part in self.split_compound(word.form) or ():
                    terms[stem(part)] += COMPOUND_PART_WEIGHT
        for _start, _end, token in self.synonyms.tag(sentence):
            terms[token] += 1.0
        return dict(terms)

    def query_concepts(self, text: str) -> list[Concept]:
        """The content words of a question, each with the index terms that match it."""
        sentence: list[Word] = []  # the question's words as understood (corrected, split)
        owned: list[list[Concept]] = []  # the concepts of each word (none for stop words)
        for word in words(text):
            pieces = [piece for part in word.parts or (word.form,) for piece in self._resolve(part)]
            own = [Concept(form, {stem(form): weight}) for form, weight in pieces]
            if word.parts and self.known(word.form):
                for concept in own:
                    concept.add(stem(word.form), 1.0)
            previous = sentence[-1] if sentence else None
            if own and previous and owned[-1] and not (previous.parts or word.parts):
                self._join(previous.form + word.form, [*owned[-1], *own])
            if word.parts or len(pieces) != 1:
                parts = tuple(form for form, _ in pieces) or word.parts
                sentence.append(Word(word.form, parts if len(parts) > 1 else ()))
            else:
                sentence.append(Word(pieces[0][0]))
            owned.append(own)
        for start, end, token in self.synonyms.tag(sentence):
            for own in owned[start:end]:
                for concept in own:
                    concept.add(token, SYNONYM_WEIGHT * max(concept.alternatives.values()))
        return [concept for own in owned for concept in own]

    def _join(self, form: str, concepts: list[Concept]) -> None:
        """Two adjacent words written apart (cpr nummer) also match the closed form."""
        if form in self._counts:
            for concept in concepts:
                concept.add(stem(form), 1.0)


def _derived(one: str, other: str) -> bool:
    """True when the longer stem is the shorter one plus a derivational ending."""
    short, long = sorted((one, other), key=len)
    return long.startswith(short) and long[len(short) :] in DERIVATIONAL_ENDINGS


def transliterations(form: str) -> list[str]:
    """The word with aa/ae/oe read as å/æ/ø, in every combination (vaerktoejer: værktøjer)."""
    variants = {form}
    for plain, danish in _TRANSLITERATIONS:
        variants |= {variant.replace(plain, danish) for variant in variants}
    variants.discard(form)
    return sorted(variants, key=len)


def _typo_limit(word: str) -> int:
    """Edit distance tolerated for a word: none below 4 letters, 1 up to 7, else 2."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def _by_length(forms: Iterable[str]) -> dict[int, list[str]]:
    pool: dict[int, list[str]] = defaultdict(list)
    for form in forms:
        if len(form) >= 4:
            pool[len(form)].append(form)
    return pool


def _split_rank(parts: tuple[str, ...]) -> tuple[int, int]:
    """Prefer fewer parts, then parts of even length (avoids 3-letter fragments)."""
    return -len(parts), min(len(part) for part in parts)
