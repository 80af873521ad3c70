"""Log set-up: text or JSON lines (KOMPAS_LOG_FORMAT), redacted, with the request id."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from ground.request_ids import current_request_id, new_request_id, request_scope
from privacy.redaction import redact_text

__all__ = [
    "REQUEST_ID_HEADER",
    "JsonFormatter",
    "RedactingTextFormatter",
    "configure_logging",
    "current_request_id",
    "log_handler",
    "new_request_id",
    "request_scope",
]

# `request_tag` is " [<request id>]" inside a turn or a job run, else "".
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s"
REQUEST_ID_HEADER = "X-Request-Id"


class RequestIdFilter(logging.Filter):
    """Puts the running request's id on every record (`request_id`, "" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line. The message and any traceback pass through the same
    redaction as stored free text (CPR, phone numbers, e-mail addresses), so a value that
    slipped into a log call never reaches the log."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_text(record.getMessage()),
        }
        request_id = getattr(record, "request_id", "") or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = redact_text(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact_text(record.exc_text)
        if record.stack_info:
            entry["stack"] = redact_text(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


class RedactingTextFormatter(logging.Formatter):
    """The plain text format, its message and traceback redacted like the JSON lines."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        return self._style.format(_redacted_copy(record))

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        return redact_text(super().formatException(ei))


def _redacted_copy(record: logging.LogRecord) -> logging.LogRecord:
    copy = logging.makeLogRecord(record.__dict__)
    copy.message = redact_text(record.message)
    request_id = getattr(record, "request_id", "") or current_request_id()
    copy.request_tag = f" [{request_id}]" if request_id else ""
    return copy


def log_handler(log_format: str, stream: TextIO) -> logging.Handler:
    """A handler writing to `stream` in `log_format` (text or json), with the request id."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else RedactingTextFormatter())
    return handler


def configure_logging(level: int, log_format: str, stream: TextIO = sys.stderr) -> None:
    """Send every log record at `level` and above to `stream` in `log_format` (like
    logging.basicConfig: nothing changes when the root logger has handlers already).
    Alembic's list of the plugins it sets up, at every migrate and status, is left out."""
    logging.basicConfig(level=level, handlers=[log_handler(log_format, stream)])
    plugins = logging.getLogger("alembic.runtime.plugins")
    if plugins.level == logging.NOTSET and level > logging.DEBUG:
        plugins.setLevel(logging.WARNING)
