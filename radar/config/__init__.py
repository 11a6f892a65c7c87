"""Configuration that people edit: one pydantic model per YAML kind, one loader."""
