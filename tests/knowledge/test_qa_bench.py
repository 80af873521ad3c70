"""bench/qa_accuracy.py runs on any question file and ends with its one-line summary."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from knowledge.calibration import CALIBRATION, CALIBRATION_BIAS
from tests.knowledge.conftest import FIXTURE_CONTENT

BENCH = Path(__file__).resolve().parents[2] / "bench" / "qa_accuracy.py"


def test_bench_prints_figures_and_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        {"question": "Må jeg skrive et CPR-nummer i ChatGPT?", "topic_id": "persondata"},
        {"question": "er chatgtp godkendt til arbejdet", "topic_id": "godkendte-vaerktoejer"},
        {"question": "Hvornår har kantinen åbent?", "topic_id": None},
        {"question": "hvem vandt fodboldkampen", "topic_id": None},
    ]
    questions = tmp_path / "qa.jsonl"
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    spec = importlib.util.spec_from_file_location("qa_accuracy", BENCH)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "qa_accuracy", bench)  # dataclasses look their module up
    spec.loader.exec_module(bench)
    assert bench.main(["--questions", str(questions), "--content", str(FIXTURE_CONTENT)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(
        r"qa: top1=1\.00 oos_precision=1\.00 oos_recall=1\.00 p95_ms=\d+\.\d "
        r"baseline_top1=\d\.\d\d",
        last,
    ), last


def test_calibration_script_refits_the_shipped_decision(capsys: pytest.CaptureFixture[str]) -> None:
    path = BENCH.parent / "calibrate.py"
    spec = importlib.util.spec_from_file_location("calibrate", path)
    assert spec and spec.loader
    calibrate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(calibrate)
    assert calibrate.main([]) == 0
    out = capsys.readouterr().out
    # the constants in knowledge/calibration.py are what the script fits on the shipped content
    # (rounded to half units, so within a quarter and a little for other library versions);
    # after a content change, run `python bench/calibrate.py` and copy its figures over
    raw = next(line for line in out.splitlines() if line.startswith("raw:"))
    fitted = {k: float(v) for k, v in (part.split("=") for part in raw.split()[1:])}
    shipped = {**CALIBRATION, "bias": CALIBRATION_BIAS}
    assert fitted.keys() == shipped.keys()
    assert all(abs(fitted[name] - shipped[name]) <= 0.35 for name in shipped), (fitted, shipped)
    assert "answer threshold (picked on even lines)" in out
