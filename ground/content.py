"""What `kompas content check` reports: a problem in a content file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ContentProblem:
    """A problem found by `kompas content check`."""

    path: Path
    line: int  # 1-based; 0 when the problem concerns the whole file or directory
    message: str  # Danish or English, names what is wrong and how to fix it
    severity: str = "error"  # "error" fails the check; "warning" is printed only

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.severity}: {self.message}"
