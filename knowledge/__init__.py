"""Retrieval over the approved AI-kompas content: Danish analysis and ranking."""
