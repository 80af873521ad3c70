"""`kompas ask`: answer one question, or one per line from stdin, without a server."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from bot.cli.render import plain
from knowledge.api import SearchResult
from knowledge.index import KnowledgeBase
from privacy.redaction import redact_text


def result_record(result: SearchResult) -> dict[str, Any]:
    """The JSON object printed per question."""
    best = result.best
    return {
        "question": result.question,
        "topic_id": best.topic.id if best else None,
        "score": round(best.score if best else 0.0, 4),
        "answer": best.topic.short_answer if best else None,
    }


def answer_questions(
    knowledge: KnowledgeBase, questions: Iterable[str], out: TextIO, as_json: bool
) -> int:
    """Answer each non-empty question with the one loaded index; returns the count."""
    count = 0
    for raw in questions:
        question = redact_text(raw.strip())
        if not question:
            continue
        result = knowledge.search(question)
        count += 1
        if as_json:
            out.write(json.dumps(result_record(result), ensure_ascii=False) + "\n")
        elif result.best:
            topic = result.best.topic
            out.write(f"{question}\n→ {topic.title} (score {result.best.score:.2f})\n")
            out.write(plain(topic.short_answer) + "\n\n")
        else:
            out.write(f"{question}\n→ Intet godkendt svar i AI-kompasset.\n")
            for match in result.suggestions:
                out.write(f"  Mente du: {match.topic.title}? (score {match.score:.2f})\n")
            out.write("\n")
        out.flush()
    return count
