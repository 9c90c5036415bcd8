"""Organisations, relays, focal points, areas and routing rules (issue 3)."""
