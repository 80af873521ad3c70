"""The Teams edge on the Microsoft 365 Agents SDK: the only package importing it."""
