"""The battles blueprint."""
