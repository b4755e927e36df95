"""The curated knowledge base (YAML data). `bot.kb.model` loads and validates it."""
