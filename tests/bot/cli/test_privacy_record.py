"""`kompas privacy record`: the Danish record of processing follows the settings in force."""

from __future__ import annotations

import pytest

from bot.main import main


def record(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["privacy", "record"]) == 0
    return capsys.readouterr().out


def test_the_record_names_the_default_periods_and_asks_for_the_dpo(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("KOMPAS_CONTACT_DPO", raising=False)
    text = record(monkeypatch, capsys)
    assert text.startswith("# Kompas – oplysninger til fortegnelsen over behandlingsaktiviteter")
    assert "| 24 måneder efter, de blev skrevet" in text
    assert "| 12 måneder efter, sagen blev besvaret" in text
    assert "indholdet 30 dage efter levering" in text
    assert "linket virker i 60 minutter" in text
    assert "grupper på mindst 5 personer" in text
    assert "sæt KOMPAS_CONTACT_DPO" in text


def test_the_record_follows_changed_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = record(
        monkeypatch,
        capsys,
        KOMPAS_RETENTION_MONTHS="18",
        KOMPAS_OUTBOX_RETENTION_DAYS="14",
        KOMPAS_CASE_RETENTION_MONTHS="6",
        KOMPAS_MIN_GROUP="7",
        KOMPAS_MIN_TEXT_GROUP="12",
        KOMPAS_CONTACT_DPO="dpo@kommune.dk",
    )
    assert "| 18 måneder efter, de blev skrevet" in text
    assert "| 6 måneder efter, sagen blev besvaret" in text
    assert "indholdet 14 dage efter levering" in text
    assert "efter 18 måneder" in text
    assert "mindst 7 personer" in text and "mindst 12" in text
    assert "Databeskyttelsesrådgiver: dpo@kommune.dk" in text


@pytest.mark.parametrize("value", ["0", "to år", "-3"])
def test_a_retention_that_is_not_a_whole_number_of_months_is_refused(
    value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KOMPAS_RETENTION_MONTHS", value)
    assert main(["privacy", "record"]) == 2
    assert "KOMPAS_RETENTION_MONTHS" in capsys.readouterr().err
