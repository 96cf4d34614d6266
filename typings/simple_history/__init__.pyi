# Partial stubs for django-simple-history, which ships no type information (no py.typed).
# Only `simple_history.admin` is described; every other module stays untyped (Any), as
# pyproject's `ignore_missing_imports` override for `simple_history.*` says.
