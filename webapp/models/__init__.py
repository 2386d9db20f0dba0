"""Typed SQLAlchemy models, one module per domain."""
from webapp.models.accounts import AuditEntry, Role, SignInNonce, User

__all__ = ["AuditEntry", "Role", "SignInNonce", "User"]
