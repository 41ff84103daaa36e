"""Keeping identities out of what Lantern stores, shows and exports."""
