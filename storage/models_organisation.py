"""Tables for the organisation tree, the people in it and their roles."""

from __future__ import annotations
