"""Redaction of personal data (CPR numbers, phone numbers, e-mail addresses) in free text."""
