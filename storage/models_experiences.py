"""Tables for monthly campaigns, experiences and reminder opt-outs."""

from __future__ import annotations
