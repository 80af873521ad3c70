"""Scheduling: Danish working days, Kompas's jobs, the APScheduler wiring and leader election."""
