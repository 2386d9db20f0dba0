"""The bounties blueprint."""
