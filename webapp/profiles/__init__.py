"""The profiles blueprint."""
