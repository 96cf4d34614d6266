"""The plan language: YAML source with line numbers, strict models, validation."""
