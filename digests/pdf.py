"""A digest page as PDF, through whichever engine is installed: Chromium or WeasyPrint."""

from __future__ import annotations

import importlib.util
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT_SECONDS = 120
NO_ENGINE = (
    "no PDF engine is installed. Install Chromium (Debian/Ubuntu: apt-get install chromium) "
    "or WeasyPrint (pip install weasyprint), or write HTML with --format html and print it "
    "from a browser"
)


class PdfError(Exception):
    """No PDF engine, or the engine failed; the message says what to do."""


def chromium_path() -> str | None:
    """The first Chromium or Chrome on PATH, None when there is none."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def engines() -> list[str]:
    """Names of the installed engines, preferred first."""
    found = []
    if chromium_path():
        found.append("chromium")
    if importlib.util.find_spec("weasyprint") is not None:
        found.append("weasyprint")
    return found


def _chromium(html: str, out: Path, executable: str) -> None:
    with tempfile.TemporaryDirectory(prefix="kompas-pdf-") as folder:
        page = Path(folder) / "digest.html"
        page.write_text(html, encoding="utf-8")
        command = [
            executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={Path(folder) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out.resolve()}",
            page.as_uri(),
        ]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=PDF_TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PdfError(f"Chromium could not make the PDF: {error}") from error
        if not out.is_file() or out.stat().st_size == 0:
            raise PdfError(f"Chromium made no PDF: {result.stderr.strip()[-500:]}")


def _weasyprint(html: str, out: Path) -> None:
    import weasyprint  # type: ignore[import-not-found,unused-ignore]

    weasyprint.HTML(string=html).write_pdf(str(out))


def write_pdf(html: str, out: Path) -> str:
    """Write the page as PDF to `out`; returns the engine used. PdfError when none works."""
    out.parent.mkdir(parents=True, exist_ok=True)
    executable = chromium_path()
    if executable is not None:
        _chromium(html, out, executable)
        return "chromium"
    if importlib.util.find_spec("weasyprint") is not None:
        _weasyprint(html, out)
        return "weasyprint"
    raise PdfError(NO_ENGINE)
