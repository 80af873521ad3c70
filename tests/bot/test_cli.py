"""The `kompas` command line as an operator or newcomer uses it (real subprocesses)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from tests.paths import PROJECT_ROOT

APP_ID = "8f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"


def kompas(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "KOMPAS_", "SLACK_"))
    }
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=PROJECT_ROOT,
        env={**base, **(env or {})},
        check=False,
    )


def test_ask_json_batch_marks_out_of_scope_with_null_topic() -> None:
    questions = "Hvornår har kantinen åbent?\nmå jeg skrive et cpr nummer i chatgpt\n\n"

    result = kompas("ask", "--json", stdin=questions)

    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["question"] for row in rows] == [
        "Hvornår har kantinen åbent?",
        "må jeg skrive et cpr nummer i chatgpt",
    ]
    assert rows[0]["topic_id"] is None and rows[0]["answer"] is None
    assert rows[1]["topic_id"] == "persondata" and rows[1]["answer"]
    assert set(rows[1]) == {"question", "topic_id", "score", "answer"}


def test_ask_never_echoes_a_cpr_number() -> None:
    result = kompas("ask", "--json", "må", "jeg", "skrive", "0101901234", "i", "copilot")

    assert result.returncode == 0, result.stderr
    assert "0101901234" not in result.stdout
    assert json.loads(result.stdout)["topic_id"] == "persondata"


def test_content_check_passes_on_the_sample_content_and_warns_about_contacts() -> None:
    result = kompas("content", "check")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "KOMPAS_CONTACT_DPO" in result.stdout
    assert "content check: OK" in result.stdout


def test_content_check_names_file_and_line_of_a_broken_template(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    broken = content / "templates" / "help.md.j2"
    broken.write_text("Linje et\nLinje to {% if %}\n", encoding="utf-8")

    result = kompas("content", "check", env={"KOMPAS_CONTENT_DIR": str(content)})

    assert result.returncode == 1
    assert f"{broken}:2" in result.stdout
    assert "content check: FEJL" in result.stdout


def test_content_check_lists_a_draft_and_still_passes(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    draft = content / "kompas" / "tolkning.md"
    draft.write_text(
        "---\nid: tolkning\ntitle: Må jeg bruge AI som tolk?\nstatus: udkast\n"
        "questions: [må jeg bruge ai som tolk]\nkeywords: []\n---\nDet afhænger af …\n",
        encoding="utf-8",
    )

    result = kompas("content", "check", env={"KOMPAS_CONTENT_DIR": str(content)})

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{draft}:1: warning: draft (not served): front matter lacks 'spor:'" in result.stdout
    assert "Udkast til gennemsyn (1)" in result.stdout
    assert f"  {draft}: »Må jeg bruge AI som tolk?«, 1 spørgsmål\n" in result.stdout
    assert "content check: OK – 0 fejl" in result.stdout and ", 1 udkast (" in result.stdout


def test_manifest_builds_a_teams_package_for_our_host_only(tmp_path: Path) -> None:
    out = tmp_path / "kompas.zip"
    env = {"MICROSOFT_APP_ID": APP_ID, "KOMPAS_PUBLIC_HOST": "kompas.eksempel-kommune.dk"}

    result = kompas("manifest", "--out", str(out), env=env)

    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        archive.extract("color.png", tmp_path)
        archive.extract("outline.png", tmp_path)
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["kompas.eksempel-kommune.dk"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert Image.open(tmp_path / "color.png").size == (192, 192)
    outline = Image.open(tmp_path / "outline.png").convert("RGBA")
    assert outline.size == (32, 32)
    rgba = outline.tobytes()  # four bytes per pixel, in R, G, B, A order
    pixels = (tuple(rgba[i : i + 4]) for i in range(0, len(rgba), 4))
    colours = {pixel for pixel in pixels if pixel[3] > 0}
    assert colours == {(255, 255, 255, 255)}  # white on transparent


def test_manifest_without_app_id_explains_what_is_missing(tmp_path: Path) -> None:
    result = kompas("manifest", "--out", str(tmp_path / "x.zip"))

    assert result.returncode == 2
    assert "MICROSOFT_APP_ID" in result.stderr
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["serve"], {}, "--dev"),
        (["serve", "--dev", "--host", "0.0.0.0"], {}, "loopback"),
        (["serve"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not"),
        (["serve"], {"KOMPAS_SLACK_RATE": "-1"}, "KOMPAS_SLACK_RATE"),
        (["serve", "--slack-socket-mode"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),
    ],
)
def test_serve_refuses_to_run_unauthenticated_in_the_open(
    args: list[str], env: dict[str, str], message: str
) -> None:
    result = kompas(*args, env=env, timeout=30)

    assert result.returncode == 2
    assert message in result.stderr


def test_chat_answers_and_buttons_can_be_pressed_by_number(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}"}
    lines = "må jeg bruge chatgpt til en borgers sag?\n1\n/quit\n"

    result = kompas("chat", "--user", "mette", stdin=lines, env=env)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Hej mette" in out  # welcome
    assert "== Persondata" in out  # the persondata topic answers
    assert "[1] 👍" in out and "[2] 👎" in out
    assert "Tak for din feedback" in out


def test_chat_walks_through_a_monthly_prompt_sent_by_the_trigger(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}"}
    assert kompas("chat", "--user", "mette", stdin="/quit\n", env=env).returncode == 0

    triggered = kompas("trigger", "monthly", env=env)
    again = kompas("trigger", "monthly", env=env)
    answer = "1\nCopilot til et referat\n3\n1\n\n\n1\n/quit\n"
    chat = kompas("chat", "--user", "mette", stdin=answer, env=env)

    assert "1 messages queued" in triggered.stdout, triggered.stdout + triggered.stderr
    assert "0 messages queued" in again.stdout
    assert chat.returncode == 0, chat.stderr
    assert "AI-erfaringer" in chat.stdout and "[2] Intet at dele denne måned" in chat.stdout
    assert "Tak, fordi du delte din erfaring" in chat.stdout


def test_chat_question_for_the_ambassadors_is_delivered_in_their_terminal(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}",
        "KOMPAS_AMBASSADORS_CONVERSATION": "cli:anne",
    }
    question = "Hvornår har kantinen åbent?\n"
    first = kompas("chat", "--user", "bo", stdin=question + "/quit\n", env=env)
    [button] = [line for line in first.stdout.splitlines() if "Spørg en AI-ambassadør" in line]
    number = button.split("[", 1)[1].split("]", 1)[0]

    # Enter leaves "Må gerne kontakte mig" unticked.
    asked = kompas("chat", "--user", "bo", stdin=f"{question}{number}\n\n/quit\n", env=env)
    ambassador = kompas("chat", "--user", "anne", stdin="/quit\n", env=env)

    assert asked.returncode == 0, asked.stderr
    assert "uden dit navn" in asked.stdout
    assert "Nyt spørgsmål til AI-ambassadørerne" not in asked.stdout  # not in the asker's chat
    assert "Nyt spørgsmål til AI-ambassadørerne" in ambassador.stdout
    assert "Hvornår har kantinen åbent?" in ambassador.stdout
