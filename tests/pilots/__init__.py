"""Tests of local pilots: schedule, check-ins, store and dialogs."""
