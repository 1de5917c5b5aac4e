"""Pexip guest client: unit tests (in-memory transport) and client ↔ embedded node tests."""
