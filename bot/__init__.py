"""Parley: a Slack bot for supplier, third-party and customer relationships."""

__version__ = "0.1.0"
