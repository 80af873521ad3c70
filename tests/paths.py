"""Where the source tree is, for tests that read the shipped sample content directly."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
