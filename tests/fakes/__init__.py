"""Loopback fakes of the external services Kompas talks to (Bot Connector, …)."""
