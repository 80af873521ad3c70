"""The organisation tree (direktion → centres → units → teams), people and their roles."""
