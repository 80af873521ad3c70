"""Tables for the durable outbox of proactive messages."""

from __future__ import annotations
