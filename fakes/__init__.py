"""Loopback fakes of services Kompas cannot reach in tests and benches (real HTTP servers)."""
