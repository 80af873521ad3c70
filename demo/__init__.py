"""A clearly fake municipality (Eksempel Kommune) with generated answers, for trying Kompas."""
