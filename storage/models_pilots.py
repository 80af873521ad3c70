"""Tables for local pilots, their check-ins and reflections."""

from __future__ import annotations
