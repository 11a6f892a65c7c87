"""Saved searches, percolation, digests and mail delivery with its ledger."""
