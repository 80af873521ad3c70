"""Local, time-boxed AI pilots: creation, check-ins, reflections and status."""
