"""Benchmark: redaction speed on ordinary messages and on hostile 100 KB inputs."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from privacy.redaction import redact

ORDINARY = [
    "Må jeg skrive 010190-1234 i ChatGPT?",
    "Ring til mig på +45 12 34 56 78 eller skriv til mette.hansen@kommune.dk",
    "Mødet er 01-02-2026 kl. 12:30, budgettet er 12.500,00 kr. (journalnr. 27.12.08-P20-1-24)",
    "kan jeg bruge copilot til et referat af teammødet i går",
    "Mit CPR er ０１０１９０-１２３４ og min mail er karen(at)kommune.dk 🙂 – må jeg det?",
    "Borgeren (01.01.90-1234) ringede fra 12-34-56-78 om sagen 2024-123456 på 12.345,50 kr.",
]
HOSTILE = {
    "digits and spaces": "0 " * 50_000,
    "one digit run": "1" * 100_000,
    "cpr prefixes": "010190-" * 15_000,
    "at signs": "a@" * 50_000,
    "dotted local parts": "a." * 50_000 + "@b",
    "many addresses": "a@b.dk" * 16_000,
    "spaced at signs": "a @ " * 25_000,
    "(at) words": "a(at)" * 20_000,
    "full-width digits": "０ " * 50_000,
    "zero-width digits": "0\u200b" * 50_000,
    "date prefixes": "01.01." * 16_000,
    "spaced pairs": "01 " * 33_000,
}


def main() -> None:
    timings = []
    for _ in range(2_000):
        for text in ORDINARY:
            start = time.perf_counter()
            redact(text)
            timings.append(time.perf_counter() - start)
    timings.sort()
    p50 = statistics.median(timings) * 1e6
    p95 = timings[int(len(timings) * 0.95)] * 1e6
    print(f"ordinary messages: n={len(timings)} p50={p50:.1f}µs p95={p95:.1f}µs")
    worst = 0.0
    for name, text in HOSTILE.items():
        start = time.perf_counter()
        redact(text)
        elapsed = (time.perf_counter() - start) * 1000
        worst = max(worst, elapsed)
        print(f"hostile {name:<20} {len(text):>7} chars {elapsed:8.1f} ms")
    print(f"redaction: p50_us={p50:.1f} p95_us={p95:.1f} worst_hostile_ms={worst:.1f}")


if __name__ == "__main__":
    main()
