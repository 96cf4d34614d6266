"""Every command and setting a user can reach is documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from openspm.settings import Env

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
OUR_COMMANDS = (
    "demo",
    "serve",
    "worker",
    "createadmin",
    "createtoken",
    "import",
    "export",
    "runs",
    "payouts",
)


@pytest.mark.parametrize("name", OUR_COMMANDS)
def test_command_exists_with_help(name: str) -> None:
    app = get_commands().get(name)
    assert app is not None, f"openspm {name} is not a command"
    command = load_command_class(app, name)
    assert command.help, f"openspm {name} has no help text"
    parser = command.create_parser("openspm", name)
    assert parser.format_help().startswith("usage: openspm")


@pytest.mark.parametrize("name", [*OUR_COMMANDS, "migrate", "calc"])
def test_command_is_in_the_readme(name: str) -> None:
    assert f"`openspm {name}" in README


@pytest.mark.parametrize("field", sorted(Env.model_fields))
def test_setting_is_in_the_readme(field: str) -> None:
    alias = Env.model_fields[field].validation_alias
    name = alias if isinstance(alias, str) else f"OPENSPM_{field.upper()}"
    assert f"`{name}`" in README or f"`{name}`," in README
