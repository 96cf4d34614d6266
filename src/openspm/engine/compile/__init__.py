"""Compilation of plans to SQL: one generator, several dialects."""
