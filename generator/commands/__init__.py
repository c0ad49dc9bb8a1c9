"""The `peerpress` commands: each module parses its own arguments (add_cli) and runs them."""
