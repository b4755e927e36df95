"""Admins keeping the knowledge base current: editor, import, wizard, review, statistics."""
