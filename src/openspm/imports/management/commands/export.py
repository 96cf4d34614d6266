"""`openspm export ENTITY FILE`: write every row of ENTITY in its import format."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openspm.core.errors import OpenSPMError
from openspm.imports import services
from openspm.imports.cli import actor_for
from openspm.imports.entities import ENTITIES


class Command(BaseCommand):
    help = (
        "Export ENTITY to FILE as CSV (UTF-8) or XLSX, in exactly the format `openspm import` "
        "reads, with the rows the acting user may see. Entities: " + ", ".join(ENTITIES)
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("entity", choices=list(ENTITIES), metavar="ENTITY")
        parser.add_argument("file", metavar="FILE", help="where to write; '-' for stdout (CSV)")
        parser.add_argument(
            "--format",
            choices=["csv", "xlsx"],
            help="default: from the file's extension, else csv",
        )
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="export what this user may see; default: an administrator (everything)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["file"]
        file_format = options["format"] or ("xlsx" if target.endswith(".xlsx") else "csv")
        if target == "-" and file_format != "csv":
            raise CommandError("Only CSV can be written to stdout.")
        viewer = actor_for(options["username"])
        try:
            exported = services.export_file(
                viewer=viewer, entity=options["entity"], file_format=file_format
            )
        except OpenSPMError as exc:
            raise CommandError(exc.message) from None
        if target == "-":
            self.stdout.write(exported.content.decode("utf-8-sig"), ending="")
            return
        Path(target).write_bytes(exported.content)
        self.stderr.write(f"{target}: wrote {options['entity']} ({len(exported.content)} bytes)")
