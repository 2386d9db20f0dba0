"""The payout engine: the one place tokens leave platform wallets, exactly once."""
