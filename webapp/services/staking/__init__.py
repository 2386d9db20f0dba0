"""Staking and community funds of tokens launched on Momentum."""
