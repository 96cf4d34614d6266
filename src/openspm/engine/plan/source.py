"""YAML reading that keeps every scalar as text and remembers the line of every node.

Numbers therefore reach Pydantic as their literal text (``0.035`` → ``"0.035"`` →
``Decimal("0.035")``) and never pass through ``float`` (STYLE M2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")

Path = tuple[str | int, ...]


@dataclass
class Source:
    """A parsed YAML document: plain data (str/None/list/dict) and a path → line map."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of the deepest known node along ``path`` (1-based)."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), 1)


class YamlSyntaxError(Exception):
    """The text is not valid YAML; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(message)


def parse_yaml(text: str) -> Source:
    """Parse ``text`` into a :class:`Source`; duplicate keys are an error."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlSyntaxError(line, str(exc.problem or exc)) from None
    src = Source(None)
    if node is None:
        return src
    src.data = _build(node, (), src)
    return src


def _build(node: yaml.Node, path: Path, src: Source) -> Any:
    src.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and _NULL.match(node.value):
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, (*path, i), src) for i, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlSyntaxError(key_node.start_mark.line + 1, "keys must be plain text")
            key = key_node.value
            if key == "<<":
                raise YamlSyntaxError(key_node.start_mark.line + 1, "merge keys are not allowed")
            if key in out:
                raise YamlSyntaxError(key_node.start_mark.line + 1, f"duplicate key {key!r}")
            out[key] = _build(value_node, (*path, key), src)
            src.lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    raise YamlSyntaxError(node.start_mark.line + 1, "unsupported YAML node")
