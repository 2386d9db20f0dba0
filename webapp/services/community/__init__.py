"""Community rules: discussions and posts, reactions, notifications, follows, moderation, challenges."""
