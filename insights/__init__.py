"""Leaders' digests: anonymised aggregation, themes and suggested next steps."""
