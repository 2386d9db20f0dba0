"""Everything that talks to or about Solana."""
