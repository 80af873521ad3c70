"""Tests for the organisation tree, its import and roles."""
