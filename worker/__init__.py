"""The RQ side of Momentum: jobs are thin wrappers around webapp.services."""
