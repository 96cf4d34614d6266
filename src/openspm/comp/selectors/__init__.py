"""Reads of the comp app, one module per area (runs, statements, disputes, payouts)."""
