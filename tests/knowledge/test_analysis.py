"""Danish analysis: words, stop words, compounds, typos, transliteration and synonyms."""

from __future__ import annotations

from knowledge.analysis import Analyzer
from knowledge.danish import STOPWORDS, Word, inflections, normalise, stem, words
from knowledge.lexicon import GeneralLexicon
from knowledge.synonyms import SynonymMatcher

VOCABULARY = [
    "Sikkerhed og hændelse. CPR-nummer og nummer. Arbejde på en konto.",
    "Persondata, ChatGPT, Copilot og værktøjer. Afprøvning i det små.",
]


def terms(analyzer: Analyzer, question: str) -> list[set[str]]:
    return [set(concept.alternatives) for concept in analyzer.query_concepts(question)]


def test_words_join_hyphenated_parts_and_drop_clitics() -> None:
    assert words("CPR-nummer") == [Word("cprnummer", ("cpr", "nummer"))]
    assert words("DPO'en og AI’en") == [Word("dpo"), Word("og"), Word("ai")]
    assert words("3. sal, 50'erne") == [Word("sal")]
    assert normalise("ＣＰＲ‐Nummer") == "cpr-nummer"


def test_stop_words_are_danish_function_words_not_topic_words() -> None:
    assert {"og", "jeg", "må", "hvad", "ikke", "haft"} <= STOPWORDS
    assert not {"bruge", "skrive", "dele", "cpr", "ai", "melde"} & STOPWORDS


def test_cpr_spellings_share_index_terms() -> None:
    analyzer = Analyzer(VOCABULARY)
    closed, spaced, hyphen = (terms(analyzer, q) for q in ("cprnummer", "cpr nummer", "CPR-nummer"))
    assert stem("cprnummer") in set().union(*spaced)
    assert stem("cprnummer") in set().union(*hyphen)
    assert stem("cprnummer") in set().union(*closed)
    document = analyzer.document_terms("Skriv aldrig et CPR-nummer")
    assert {stem("cprnummer"), "cpr", stem("nummer")} <= set(document)


def test_unknown_compounds_split_on_the_content_vocabulary() -> None:
    analyzer = Analyzer(VOCABULARY)
    assert analyzer.split_compound("sikkerhedshændelse") == ("sikkerhed", "hændelse")
    assert analyzer.split_compound("arbejdskonto") == ("arbejde", "konto")  # arbejd-s- = arbejde
    assert analyzer.split_compound("cprnummer") == ("cpr", "nummer")
    assert analyzer.split_compound("kantinemenu") is None
    # an inflected word is not a compound of its stem and an ending
    assert Analyzer(["borger"]).split_compound("borgerens") is None


def test_misspelt_words_map_to_close_content_words() -> None:
    analyzer = Analyzer(VOCABULARY)
    assert analyzer.correct("persondatta") == ("persondata", 0.8)
    assert analyzer.correct("chatgtp") == ("chatgpt", 0.8)  # swapped letters
    assert analyzer.correct("copilt") == ("copilot", 0.8)
    assert analyzer.correct("kat") is None  # too short to guess
    assert analyzer.correct("bopilot") is None  # first letters are rarely wrong


def test_words_from_the_same_root_meet() -> None:
    analyzer = Analyzer(VOCABULARY)
    assert [c.text for c in analyzer.query_concepts("afprøve")] == ["afprøvning"]
    # a verb whose stem lacks the noun's whole -ering ending (digitalis-erer, digitalis-ering)
    other = Analyzer(["Digitalisering i kommunen"])
    assert [c.text for c in other.query_concepts("digitaliserer")] == ["digitalisering"]


def test_a_compound_with_an_unknown_head_keeps_its_known_modifier() -> None:
    analyzer = Analyzer(VOCABULARY)
    assert analyzer.split_modifier("sikkerhedsfolder") == [("sikkerhed", 1.0), ("folder", 1.0)]
    assert [c.text for c in analyzer.query_concepts("sikkerhedsfolder")] == ["sikkerhed", "folder"]
    assert analyzer.split_modifier("kantinemenu") is None  # nothing known to keep
    assert analyzer.split_modifier("sikkerhedsx") is None  # too short a rest to be a word


def test_text_typed_without_danish_letters() -> None:
    analyzer = Analyzer(VOCABULARY)
    assert analyzer.query_concepts("maa") == []  # må is a stop word
    assert [c.text for c in analyzer.query_concepts("vaerktoejer")] == ["værktøjer"]


def test_synonyms_match_inflections_but_not_words_with_the_same_stem() -> None:
    assert {"borgerne", "borgeren", "borgere"} <= inflections("borger")
    assert "chatbotten" in inflections("chatbot")
    matcher = SynonymMatcher((("brugeren", "borgeren"), ("kom til at", "ved et uheld")))
    assert matcher.tag(words("vil brugeren")) == [(1, 2, "~0")]
    assert matcher.tag(words("jeg vil bruge den")) == []  # bruge has brugeren's stem
    assert matcher.tag(words("jeg kom til at dele")) == [(1, 4, "~1")]
    assert matcher.tag(words("jeg kom til mødet")) == []


def test_query_concepts_carry_synonym_group_terms() -> None:
    analyzer = Analyzer(["ophavsret til billeder"], (("ophavsret", "copyright"),))
    (concept,) = analyzer.query_concepts("copyright")
    assert concept.alternatives["~0"] == 0.8
    assert analyzer.document_terms("Ophavsret gælder")["~0"] == 1.0


def test_ordinary_danish_words_are_not_taken_for_typos_or_fragments() -> None:
    content = ["Tal lavere end forventet. Sortere ansøgninger. Visitere en borger."]
    plain = Analyzer(content)
    informed = Analyzer(content, lexicon=GeneralLexicon())
    assert plain.correct("lavede") == ("lavere", 0.8)  # without a lexicon: one letter off
    assert informed.correct("lavede") is None  # a real word (made), not a misspelling
    assert informed.correct("sotere") == ("sortere", 0.8)  # a real typo is still corrected
    # visit-kort is not visit-ere: only derivational endings may differ within one root
    assert [c.text for c in informed.query_concepts("visitkort")] == ["visitkort"]
    # person + "alefesten" is no split: the rest must be a Danish word (personale-festen)
    assert informed.split_modifier("personalefesten") is None
    assert informed.split_modifier("borgerfolder") == [("borger", 1.0), ("folder", 1.0)]


def test_the_general_lexicon_knows_common_words_and_not_typos() -> None:
    lexicon = GeneralLexicon()
    assert lexicon.is_common("møde") and lexicon.is_common("lavede")
    assert not lexicon.is_word("chatgbt")
    assert lexicon.zipf("møde") > lexicon.zipf("afprøvning") > 0.0
