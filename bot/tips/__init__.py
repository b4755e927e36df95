"""Confidential tips: records, the vault, the store, the reporter's flow, the admins' desk, CLI."""
