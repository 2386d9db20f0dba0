"""Transaction labels for the indexer: ``classify(tx) -> list[ChainEvent]``.

Pure functions over one ``getTransaction`` result (``json`` or
``jsonParsed``, legacy or v0). Labels come from how balances and
instructions work — who gave what and got what — not from a list of venues.
See DESIGN.md section 7b for the contract.
"""

from .core import classify
from .events import LABELS, ChainEvent
from .platform import PlatformWallets, relabel_for_platform

__all__ = ["LABELS", "ChainEvent", "PlatformWallets", "classify", "relabel_for_platform"]
