"""The ground floor: channel-neutral types, the clock, texts and settings (no Kompas imports)."""
