"""Read YAML safely and remember the line of every key.

A scenario error must name the line a user has to edit. PyYAML's ``safe_load``
throws the positions away, so this module composes the document into a node
tree with :class:`yaml.SafeLoader` (nothing is evaluated as code), records the
1-based line of every mapping key and sequence item, and then constructs the
plain Python data from the same tree.

Key paths are tuples of mapping keys and list indices, e.g.
``("options", 1, "interventions", 0, "increase")``; the empty tuple is the
document itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from twin.errors import ScenarioError

__all__ = ["KeyPath", "LineMap", "load_with_lines"]

KeyPath = tuple[str | int, ...]


class LineMap(dict[KeyPath, int]):
    """``{key path: 1-based line}`` for every key and list item of a document."""

    def line_of(self, path: Sequence[str | int]) -> int:
        """Line of ``path``, or of its nearest recorded ancestor (line 1 at worst)."""
        path = tuple(path)
        while path:
            if path in self:
                return self[path]
            path = path[:-1]
        return self.get((), 1)


def load_with_lines(text: str, file: str = "<string>") -> tuple[Any, LineMap]:
    """Parse one YAML document with the safe loader and map key paths to lines.

    Parameters
    ----------
    text
        The YAML text.
    file
        Name used in error messages.

    Returns
    -------
    data, lines
        The plain data (dicts, lists, str, int, float, bool, date, None) and a
        :class:`LineMap`. ``data`` is ``None`` for an empty document.

    Raises
    ------
    ScenarioError
        On a YAML syntax error (with the line of the problem), more than one
        document, or a key repeated in one mapping (``safe_load`` would keep
        the last silently).
    """
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            what = exc.problem or exc.context or "cannot be parsed"
            if "expected a single document" in str(exc.context or ""):
                what = "holds more than one YAML document ('---'); a scenario is one document"
            raise ScenarioError(f"YAML syntax error: {what}", file=file, line=line) from None
        except yaml.YAMLError as exc:  # reader errors (bad characters) carry no mark attribute
            raise ScenarioError(f"YAML cannot be read: {exc}", file=file) from None
        lines = LineMap()
        if node is None:
            return None, lines
        lines[()] = node.start_mark.line + 1
        _walk(node, (), lines, file)
        try:
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:  # e.g. an unknown !tag
            mark = exc.problem_mark or exc.context_mark
            raise ScenarioError(
                f"YAML value cannot be read safely: {exc.problem or exc.context}",
                file=file,
                line=None if mark is None else mark.line + 1,
            ) from None
    finally:
        loader.dispose()
    return data, lines


class _Loader(yaml.SafeLoader):
    """SafeLoader whose impossible dates (2030-02-30) are YAML errors with a line, not a bare ValueError."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid date ({exc})", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _walk(node: yaml.Node, path: KeyPath, lines: LineMap, file: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue  # complex keys are refused later by the schema
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # '<<: *anchor' merge keys: merged keys keep the anchor's lines
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ScenarioError(
                    f"key {key!r} appears twice in one mapping (first on line {seen[key]})",
                    file=file,
                    line=line,
                    field=_dotted(path + (key,)),
                )
            seen[key] = line
            lines[path + (key,)] = line
            _walk(value_node, path + (key,), lines, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            _walk(item, path + (i,), lines, file)


def _dotted(path: Sequence[str | int]) -> str:
    """``("options", 1, "name")`` -> ``"options[1].name"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<top level>"
