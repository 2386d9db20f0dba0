"""Reports and the moderation queue."""
