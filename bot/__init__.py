"""Core of the Netralitas ASN assistant: knowledge base, matching, rendering, reports, admin.

Nothing in this package imports `telegram`: the console, the CLI, the tests and the Telegram
handlers all drive the same use cases.
"""
