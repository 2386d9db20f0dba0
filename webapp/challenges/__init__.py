"""Token community challenges."""
