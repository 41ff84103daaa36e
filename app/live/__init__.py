"""Delivery: connections, per-audience fan-out, and the bus between workers."""
