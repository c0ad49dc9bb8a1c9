"""The `peerpress` commands: one module per command, each only parsing its arguments and calling
the library (see docs/architecture.md). Nothing outside this package imports it but cli.py.
"""
