"""Anonymised aggregation: what one month's answers may show a leader; digests/ publishes it."""
