"""The leaderboards blueprint."""
