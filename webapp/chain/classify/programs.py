"""Program ids the classifier needs to read instructions or to name a venue.

Only the token, system and associated-token programs change how a
transaction is read; venue ids are used for the ``program`` field alone,
never to decide a label.
"""

from __future__ import annotations

SYSTEM = "11111111111111111111111111111111"
TOKEN = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
TOKEN_2022 = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"
ASSOCIATED_TOKEN = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
COMPUTE_BUDGET = "ComputeBudget111111111111111111111111111111"
MEMO = "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr"
MEMO_V1 = "Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo"

WRAPPED_SOL_MINT = "So11111111111111111111111111111111111111112"

TOKEN_PROGRAMS: frozenset[str] = frozenset({TOKEN, TOKEN_2022})

# Plumbing every transaction uses; never "the program that did it" when a
# more specific program took part.
INFRASTRUCTURE: frozenset[str] = frozenset(
    {SYSTEM, TOKEN, TOKEN_2022, ASSOCIATED_TOKEN, COMPUTE_BUDGET, MEMO, MEMO_V1}
)

# Venues worth naming in ``ChainEvent.program``. Aggregators are listed so
# that a route through several pools is credited to the router.
KNOWN_VENUES: dict[str, str] = {
    "6EF8rrecthR5Dkzon8Nwu78hRvfCKubJ14M5uBEwF6P": "pump.fun",
    "pAMMBay6oceH9fJKBRHGP5D4bD4sWpmSwMn52FMfXEA": "pump.fun AMM",
    "675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8": "Raydium AMM v4",
    "CAMMCzo5YL8w4VFF8KVHrK22GGUsp5VTaW7grrKgrWqK": "Raydium CLMM",
    "CPMMoo8L3F4NbTegBCKVNunggL7H1ZpdTHKxQB5qKP1C": "Raydium CPMM",
    "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4": "Jupiter v6",
    "whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc": "Orca Whirlpool",
    "LBUZKhRxPF3XUpBCjp4YzTKgLccjZhTSDM9YuVaPwxo": "Meteora DLMM",
}


def pick_program(paths: list[tuple[str, ...]]) -> str | None:
    """The program to credit for movements made along these call paths.

    Each path runs from the top-level program down to the program that moved
    the funds. The outermost known venue wins (a router over its pools), then
    the outermost non-plumbing program, then the program that moved them.
    """
    for path in paths:
        for program in path:
            if program in KNOWN_VENUES:
                return program
    for path in paths:
        for program in path:
            if program not in INFRASTRUCTURE:
                return program
    for path in paths:
        if path:
            return path[-1]
    return None
