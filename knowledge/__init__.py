"""The curated knowledge base (YAML data). `bot.knowledge` loads and validates it."""
