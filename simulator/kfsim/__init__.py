"""Keyfactor Command REST API simulator (the subset keyfactor.command uses)."""

__version__ = "0.1.0"
PRODUCT_VERSION = "25.4.1+sim"
