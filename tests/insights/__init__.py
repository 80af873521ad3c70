"""Tests for the insights core: anonymity, aggregation, digests."""
