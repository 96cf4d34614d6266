"""The `openspm` command: Django's command line plus our own commands.

`openspm calc ...` runs the pure engine on files and never loads Django.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Run an `openspm` command and return its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["calc"]:
        from openspm.engine.cli import main as calc_main

        return calc_main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openspm.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["openspm", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
