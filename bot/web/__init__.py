"""Web edges: the digest pages and the personal-data download."""
