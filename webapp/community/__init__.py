"""Member-to-member: notifications, follows, the feed."""
