"""The edges (teams/, cli/, web/: one folder per way in) and the app that assembles them."""
