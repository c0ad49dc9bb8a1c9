"""Peerpress: a static-site generator for peer-reviewed open educational blogs."""
__version__ = "0.1.0"
