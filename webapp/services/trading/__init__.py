"""Tier 1 trading: quotes, atomic two-party trade transactions, and graduation into a pool."""
