"""Lantern: a live-workshop tool for appreciative case reviews in children's safeguarding."""

# The one place the version is written (pyproject.toml reads it; CHANGELOG.md says what moved).
VERSION = "0.2.0"
