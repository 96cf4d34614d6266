"""`openspm import ENTITY FILE`: check a CSV/XLSX file and, when every row is valid, write it."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openspm.core.errors import OpenSPMError
from openspm.imports import services
from openspm.imports.cli import Progress, actor_for
from openspm.imports.entities import ENTITIES


class Command(BaseCommand):
    help = (
        "Import a CSV (UTF-8) or XLSX file of ENTITY. The whole file is checked first and "
        "nothing is written unless every row is valid. Errors print as FILE:ROW: COLUMN: "
        "message and the exit status is 1. Entities: " + ", ".join(ENTITIES)
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("entity", choices=list(ENTITIES), metavar="ENTITY")
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="act as this user (recorded in the audit history); default: an administrator",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        actor = actor_for(options["username"])
        show = Progress(self.stderr) if not options["json"] else None
        try:
            result = services.import_file(
                actor=actor,
                entity=options["entity"],
                content=path.read_bytes(),
                filename=path.name,
                dry_run=options["dry_run"],
                progress=show,
            )
        except OpenSPMError as exc:
            raise CommandError(exc.message) from None
        if show is not None:
            show.done()
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
        for error in result.errors:
            self.stderr.write(error.as_text(str(path)))
        if result.errors:
            raise CommandError(
                f"{len(result.errors)} error(s) in {path}; nothing was written.", returncode=1
            )
        if not options["json"]:
            verb = "would import" if result.dry_run else "imported"
            self.stdout.write(
                f"{path}: {verb} {result.total_rows} rows: {result.created} new, "
                f"{result.updated} updated, {result.unchanged} unchanged, {result.deleted} deleted"
                + (" (dry run: nothing written)" if result.dry_run else "")
            )
