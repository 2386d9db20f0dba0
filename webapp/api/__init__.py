"""Read-only JSON for bots."""
