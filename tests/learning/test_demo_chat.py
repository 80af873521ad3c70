"""As a newcomer: `kompas demo seed`, an ambassador approves the post in `kompas chat`, and an
employee receives it and browses the idea bank."""

from __future__ import annotations

from tests.bot.test_cli import kompas


def test_a_newcomer_approves_the_post_and_browses_ideas(database_url: str) -> None:
    env = {"DATABASE_URL": database_url}

    seeded = kompas("demo", "seed", env=env, timeout=240)
    assert seeded.returncode == 0, seeded.stderr
    assert "waits for an AI-ambassador: kompas chat --user maja.modelby" in seeded.stdout
    triggered = kompas("trigger", "learning-draft", env=env, timeout=120)  # drafted once
    assert triggered.returncode == 0, triggered.stderr
    assert "learning draft" in triggered.stdout and ": udkast (" in triggered.stdout
    reader = kompas("chat", "--user", "testperson005", stdin="hej\n/quit\n", env=env, timeout=120)
    assert reader.returncode == 0, reader.stderr

    before = kompas("chat", "--user", "testperson005", stdin="det har vi lært\n/quit\n", env=env)
    approved = kompas(
        "chat", "--user", "maja.modelby", stdin="det har vi lært\n1\n/quit\n", env=env,
        timeout=120,
    )  # fmt: skip
    after = kompas(
        "chat", "--user", "testperson005", stdin="idéer\n1\n/quit\n", env=env, timeout=120
    )

    assert "Der er ikke sendt noget" in before.stdout
    assert "Udkast: Det har vi lært" in approved.stdout and "[1] Send til alle" in approved.stdout
    assert "Opslaget er på vej til" in approved.stdout
    assert after.returncode == 0, after.stderr
    assert "== Det har vi lært" in after.stdout  # the post, queued for her chat, arrives
    assert "Idébanken" in after.stdout and "Det vil jeg prøve (1)" in after.stdout
    assert "får besked om, at en kollega vil prøve den" in after.stdout
