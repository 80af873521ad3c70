"""Command-line edges: `kompas chat`, `ask` and the operator commands."""
