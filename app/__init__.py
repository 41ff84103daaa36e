"""Lantern: a live-workshop tool for appreciative case reviews in children's safeguarding."""
