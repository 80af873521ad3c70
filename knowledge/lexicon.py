"""General Danish vocabulary (wordfreq's word list): tells real words from typos and fragments."""

from __future__ import annotations

# A form at or above this Zipf frequency (log10 of uses per billion words) is an ordinary
# Danish word: roughly once in a million words or more often.
COMMON_ZIPF = 3.0
CACHE_SIZE = 50_000  # word forms remembered


class GeneralLexicon:
    """How common a word is in general Danish, independent of the guideline content."""

    def __init__(self, language: str = "da") -> None:
        self._language = language
        self._zipf: dict[str, float] = {}

    def zipf(self, form: str) -> float:
        """Zipf frequency of the word form in general Danish; 0.0 when the list lacks it."""
        found = self._zipf.get(form)
        if found is None:
            # Imported on the first word the content does not know: wordfreq's import takes
            # about 0.2 s (langcodes' tables), most questions never need it.
            import wordfreq

            if len(self._zipf) >= CACHE_SIZE:
                self._zipf.clear()
            found = self._zipf[form] = float(wordfreq.zipf_frequency(form, self._language))
        return found

    def is_word(self, form: str) -> bool:
        """True when the form occurs in general Danish at all (not a typo or a fragment)."""
        return self.zipf(form) > 0.0

    def is_common(self, form: str) -> bool:
        """True when the form is an ordinary Danish word, so not a misspelling of another."""
        return self.zipf(form) >= COMMON_ZIPF
