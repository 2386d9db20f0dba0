"""The tokens blueprint."""
