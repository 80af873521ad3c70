"""Durable proactive delivery: the outbox, its sender, pacing and retries."""
