"""Read YAML safely and remember the line of every key.

A scenario error must name the line a user has to edit. PyYAML's ``safe_load``
throws the positions away, so this module composes the document into a node
tree with :class:`yaml.SafeLoader` (nothing is evaluated as code), records the
1-based line of every mapping key and sequence item, and then constructs the
plain Python data from the same tree.

Hostile files cost nothing: :func:`read_yaml` refuses non-regular files (FIFO,
``/dev/zero``, directories) and files over :data:`MAX_YAML_BYTES` before reading
more than the limit, NUL and non-UTF-8 bytes with their offset; a first pass over
the event stream (libyaml, not recursive) refuses anchors and aliases (so no alias
bomb), nesting deeper than :data:`MAX_DEPTH` and event floods before any node is
composed. Every problem is one line naming the file (and line); the same reader
serves scenario files and ``place.yaml``.

Key paths are tuples of mapping keys and list indices, e.g.
``("options", 1, "interventions", 0, "increase")``; the empty tuple is the
document itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from twin.errors import ScenarioError, TwinError

__all__ = ["MAX_DEPTH", "MAX_YAML_BYTES", "KeyPath", "LineMap", "load_with_lines", "read_yaml"]

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


#: Largest YAML file read (scenarios are a few kB; the bound keeps parsing well under a second).
MAX_YAML_BYTES = 256 * 1024
#: Deepest nesting of mappings and lists (scenarios use about 6).
MAX_DEPTH = 40
#: Most YAML events (keys, values, lists) in one document.
MAX_EVENTS = 100_000


def read_yaml(path: str | Path, *, what: str = "scenario file",
              error: type[TwinError] = ScenarioError) -> tuple[str, Any, LineMap]:
    """Read a YAML file safely: ``(text, data, lines)``.

    Non-regular files (FIFO, device, directory), files over :data:`MAX_YAML_BYTES`, NUL bytes
    and non-UTF-8 bytes are refused before parsing (at most the limit + 1 bytes are read);
    then :func:`load_with_lines`. Every problem is one ``error`` naming the file (and line).
    """
    from twin._files import read_text

    text = read_text(path, limit=MAX_YAML_BYTES, what=what, error=error)
    data, lines = load_with_lines(text, str(path), error=error)
    return text, data, lines


def load_with_lines(text: str, file: str = "<string>", *, error: type[TwinError] = ScenarioError) -> tuple[Any, LineMap]:
    """Parse one YAML document with the safe loader and map key paths to lines.

    Parameters
    ----------
    text
        The YAML text.
    file
        Name used in error messages.
    error
        The :class:`TwinError` subclass raised (``ScenarioError``; ``PlaceDataError`` for place.yaml).

    Returns
    -------
    data, lines
        The plain data (dicts, lists, str, int, float, bool, date, None) and a
        :class:`LineMap`. ``data`` is ``None`` for an empty document.

    Raises
    ------
    ScenarioError
        On a YAML syntax error (with the line of the problem), more than one
        document, a key repeated in one mapping (``safe_load`` would keep
        the last silently), an anchor or alias (``&a``/``*a``: refused, so an
        alias bomb costs nothing), nesting deeper than :data:`MAX_DEPTH`, a text
        longer than :data:`MAX_YAML_BYTES`, or an impossible date (2030-02-30).
    """
    if "\0" in text:
        raise error(f"holds a NUL character at character {text.index(chr(0))}; a YAML file is text", file=file,
                    line=text.count("\n", 0, text.index(chr(0))) + 1)
    if len(text) > MAX_YAML_BYTES:
        raise error(f"YAML text is too large ({len(text):,} characters; at most {MAX_YAML_BYTES:,})", file=file)
    _check_events(text, file, error)  # bounded, non-recursive pass before anything is composed
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            raise _syntax(exc, file, error) from None
        except yaml.YAMLError as exc:  # reader errors (bad characters) carry no mark attribute
            raise error(f"YAML cannot be read: {_one_line(exc)}", file=file) from None
        lines = LineMap()
        if node is None:
            return None, lines
        lines[()] = node.start_mark.line + 1
        _walk(node, (), lines, file, error)
        try:
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:  # e.g. an unknown !tag, an impossible date
            mark = exc.problem_mark or exc.context_mark
            raise error(
                f"YAML value cannot be read safely: {_one_line(exc.problem or exc.context)}",
                file=file,
                line=None if mark is None else mark.line + 1,
            ) from None
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # e.g. a 5,000-digit integer
            raise error(f"YAML value cannot be read: {_one_line(exc)}", file=file) from None
    finally:
        loader.dispose()
    return data, lines


def _one_line(what: Any) -> str:
    return " ".join(str(what).split())[:200]


def _syntax(exc: yaml.MarkedYAMLError, file: str, error: type[TwinError]) -> TwinError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    what = _one_line(exc.problem or exc.context or "cannot be parsed")
    if "expected a single document" in str(exc.context or ""):
        what = "holds more than one YAML document ('---'); one document per file"
    return error(f"YAML syntax error: {what}", file=file, line=line)


def _check_events(text: str, file: str, error: type[TwinError]) -> None:
    """Refuse anchors, aliases, deep nesting and event floods on the event stream (C parser, no recursion)."""
    depth = events = 0
    try:
        for event in yaml.parse(text, Loader=_EventLoader):
            events += 1
            line = event.start_mark.line + 1 if event.start_mark is not None else None
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise error(
                    "YAML anchors and aliases (&name, *name) are not accepted; write the values out",
                    file=file, line=line, value=("*" if isinstance(event, yaml.AliasEvent) else "&") + str(event.anchor),
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise error(f"YAML nesting is too deep (more than {MAX_DEPTH} levels)", file=file, line=line)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if events > MAX_EVENTS:
                raise error(f"YAML document is too large (more than {MAX_EVENTS:,} values)", file=file, line=line)
    except yaml.MarkedYAMLError as exc:
        raise _syntax(exc, file, error) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise error(f"YAML cannot be read: character {exc.position} is not allowed in YAML ({exc.reason})",
                    file=file, line=line, value=chr(exc.character) if isinstance(exc.character, int) else exc.character) from None
    except yaml.YAMLError as exc:
        raise error(f"YAML cannot be read: {_one_line(exc)}", file=file) from None


_EventLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_EventLoader):  # type: ignore[misc, valid-type]
    """Safe loader (libyaml when available) whose impossible dates (2030-02-30) are YAML errors with a line."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid date ({exc})", node.start_mark
            ) from None


    def construct_yaml_int(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            raise yaml.constructor.ConstructorError(
                None, None, f"integer with {len(node.value):,} characters is too long", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _walk(node: yaml.Node, path: KeyPath, lines: LineMap, file: str, error: type[TwinError] = ScenarioError) -> None:
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
                raise error(
                    f"key {key!r} appears twice in one mapping (first on line {seen[key]})",
                    file=file,
                    line=line,
                    field=_dotted(path + (key,)),
                )
            seen[key] = line
            lines[path + (key,)] = line
            _walk(value_node, path + (key,), lines, file, error)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            _walk(item, path + (i,), lines, file, error)


def _dotted(path: Sequence[str | int]) -> str:
    """``("options", 1, "name")`` -> ``"options[1].name"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<top level>"
