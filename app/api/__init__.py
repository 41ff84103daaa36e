"""HTTP routes and the websocket endpoint: they parse and authenticate, nothing more."""
