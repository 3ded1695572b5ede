"""Verification engine: Django-free; takes and returns Arrow tables (see docs/notes/verification-contract.md)."""
