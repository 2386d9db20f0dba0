"""The chain indexer: transactions touching tracked mints and platform wallets, and what they drive.

- store.index_batch: classify and store transactions (one database transaction per batch)
- fetching.index_signatures: fetch by signature over RPC, then index (the RQ job)
- backfill: checkpoints and gap-free catch-up with getSignaturesForAddress
- finality: confirmed → finalized, and undoing dropped transactions
- reconcile: indexed holder balances against the chain
- tracking: checking and tracking a mint
- reads: holders, trades, candles, price, market cap, 24h change, volume, involvement (for token pages)
"""
