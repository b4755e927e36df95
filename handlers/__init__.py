"""Telegram handlers: translate updates into core use cases and views into Telegram messages."""
