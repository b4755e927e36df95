"""What users see: views (text and abstract buttons), button actions, rendering, templates."""
