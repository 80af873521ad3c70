"""The id that ties one request's (a turn's or a job run's) log lines together."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# The id of the request (an inbound turn, a scheduled job's run) whose code is running; ""
# outside one. Tasks started inside inherit it, so a turn's replies and store writes and a
# job's sends carry it too.
_REQUEST_ID: ContextVar[str] = ContextVar("kompas_request_id", default="")


def new_request_id() -> str:
    """A short random id (not derived from anything the client sent). Not a secret: the
    Mersenne Twister, which needs no system call (os.urandom lets other threads take the
    GIL in the middle of every turn)."""
    return f"{random.getrandbits(64):016x}"


def job_run_id(job_id: str) -> str:
    """The id of one run of a scheduled job: "job:<name>:<short random>" ("kompas." left
    off the job's id), e.g. "job:retention:5f0c1a2b"."""
    name = job_id.removeprefix("kompas.")
    return f"job:{name}:{secrets.token_hex(4)}"


def current_request_id() -> str:
    """The running request's id, or "" outside a request."""
    return _REQUEST_ID.get()


@contextmanager
def request_scope(request_id: str) -> Iterator[str]:
    """Tie the log lines written inside the block (and tasks it starts) to `request_id`."""
    token = _REQUEST_ID.set(request_id)
    try:
        yield request_id
    finally:
        _REQUEST_ID.reset(token)
