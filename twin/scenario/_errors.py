"""Turn pydantic validation errors into one-line ScenarioErrors with file:line and dotted key.

Pydantic reports a location such as ``("options", 1, "interventions", 0,
"tree_canopy", "increase")``: mapping keys, list indices and, for tagged unions,
the tag of the chosen member. The tags are not in the user's file, so the
location is walked alongside the raw YAML data: parts present in the data make
the key path (whose line comes from the :class:`~twin.scenario._yaml.LineMap`), the
rest are tags or missing keys. The same location is walked through the model's
annotations to find the allowed keys (for "did you mean") and the field's
bounds (for "valid: 0..0.5").
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel, Tag, ValidationError
from pydantic.fields import FieldInfo

from twin.scenario._yaml import LineMap, _dotted
from twin.errors import _MISSING, ScenarioError

__all__ = ["convert", "first_error", "sort_errors"]


def convert(
    exc: ValidationError,
    root: type[BaseModel],
    data: Any,
    lines: LineMap,
    file: str,
    prefix: tuple[str | int, ...] = (),
) -> list[ScenarioError]:
    """One :class:`ScenarioError` per pydantic error, in the order of the file's lines.

    ``root`` is the model validated against ``data``; ``prefix`` is where ``data``
    sits in the whole document (``("parameters",)`` for model parameters).
    """
    out = []
    for err in exc.errors(include_url=False):
        out.append(_one(err, root, data, lines, file, prefix))
    return sort_errors(out)


def sort_errors(errors: list[ScenarioError]) -> list[ScenarioError]:
    """File order, with "missing key" errors last: they are often the echo of a misspelt key."""
    return sorted(errors, key=lambda e: (e.message.startswith("missing required key"), e.line or 0))


def first_error(errors: Sequence[ScenarioError]) -> ScenarioError:
    """The first error, noting how many more there are (all are kept on ``.errors``)."""
    first = errors[0]
    if len(errors) > 1:
        more = f"{len(errors) - 1} more problem{'s' if len(errors) > 2 else ''} in this file"
        first = ScenarioError(
            first.message,
            file=first.file,
            line=first.line,
            field=first.field,
            value=first.value,
            hint=f"{first.hint}; {more}" if first.hint else more,
        )
    first.errors = list(errors)  # type: ignore[attr-defined]
    return first


def _one(err: dict, root: type[BaseModel], data: Any, lines: LineMap, file: str, prefix: tuple) -> ScenarioError:
    kind = err["type"]
    loc = tuple(err["loc"])
    ctx = err.get("ctx") or {}
    if "at" in ctx:  # our validators point below the field they check
        loc += tuple(ctx["at"])
    path, node = _in_data(loc, data, _tags(root, loc))
    value: Any = err.get("input", _MISSING)
    if "value" in ctx:
        value = ctx["value"]
    if isinstance(value, date):
        value = value.isoformat()
    message = _message(err)
    hint = ctx.get("hint")
    field = list(path)

    if kind == "missing":
        field.append(loc[-1])
        message, value = "missing required key", _MISSING
        hint = _description(root, loc)
    elif kind == "extra_forbidden":
        key = loc[-1]
        allowed = _allowed_keys(root, loc[:-1])
        close = difflib.get_close_matches(str(key), allowed, n=3, cutoff=0.6)
        message, value = "unknown key", _MISSING
        hint = (f"did you mean {' or '.join(map(repr, close))}? " if close else "") + "valid keys: " + ", ".join(allowed)
    elif kind in ("union_tag_invalid", "union_tag_not_found") and "type" in ctx.get("discriminator", ""):
        from twin.interventions import names

        field.append("type")
        if kind == "union_tag_invalid":
            message, value = "unknown intervention type", ctx.get("tag")
        else:
            message, value = "missing required key (the intervention type)", _MISSING
        hint = "valid: " + ", ".join(names())
    elif kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", ctx.get("expected", ""))
        what = {"pathways": "unknown pathway", "model": "unknown model", "by": "unknown indicator"}
        message = what.get(_last_key(loc), "not an allowed value")
        if _last_key(loc) == "all":  # a target written as a word other than 'all'
            message, allowed = "is not a valid target", []
            hint = "valid: all, {zones: [codes]}, {top: N, by: indicator}, {class: urban|rural}"
        if allowed:
            hint = "valid: " + ", ".join(allowed)
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        hint = _bounds(root, loc) or hint
    elif kind == "too_short" and isinstance(node, (list, dict)) and len(node) == 0:
        message = "must not be empty"
    lines_path = prefix + tuple(field) if kind != "missing" else prefix + tuple(path)
    return ScenarioError(
        message,
        file=file,
        line=lines.line_of(lines_path),
        field=_dotted(prefix + tuple(field)),
        value=value,
        hint=hint,
    )


def _message(err: dict) -> str:
    kind, msg = err["type"], err["msg"]
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "must be a mapping (key: value pairs)"
    if kind == "list_type":
        return "must be a list"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "must be a date written YYYY-MM-DD"
    if kind == "string_pattern_mismatch":
        return "must start with a letter and hold only letters, digits, '_' and '-'"
    msg = msg.removeprefix("Value error, ")
    msg = re.sub(r"^Input should be", "must be", msg)
    msg = re.sub(r"^(List|String|Dictionary) should have", "must have", msg)
    return msg[:1].lower() + msg[1:]


def _last_key(loc: tuple) -> str:
    for part in reversed(loc):
        if isinstance(part, str):
            return part
    return ""


def _in_data(loc: tuple, data: Any, tags: Sequence[bool]) -> tuple[list, Any]:
    """Parts of ``loc`` found in ``data`` (the key path) and the node they lead to."""
    path, node = [], data
    for part, is_tag in zip(loc, tags, strict=True):
        if is_tag:
            continue
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            continue  # a union tag, or a key that is missing
        path.append(part)
    return path, node


# --- walking the model's annotations ---------------------------------------------------


def _strip(tp: Any) -> tuple[Any, str | None]:
    """Remove ``Annotated``; return the bare type and its pydantic ``Tag``, if any."""
    tag = None
    while get_origin(tp) is Annotated:
        args = get_args(tp)
        tag = next((m.tag for m in args[1:] if isinstance(m, Tag)), tag)
        tp = args[0]
    return tp, tag


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _step(tp: Any, part: Any) -> tuple[Any, FieldInfo | None, bool]:
    """Type reached by one ``loc`` part, its field (if the part names one), and whether the part is a union tag."""
    tp, _ = _strip(tp)
    if _is_model(tp):
        for name, info in tp.model_fields.items():
            if part in (name, info.alias):
                return info.annotation, info, False
        return None, None, False
    origin = get_origin(tp)
    if origin in (list, tuple, set, frozenset) and isinstance(part, int):
        return get_args(tp)[0], None, False
    if origin is dict:
        return (get_args(tp)[1] if len(get_args(tp)) == 2 else Any), None, False
    if origin in (Union, types.UnionType):
        members = [_strip(a) for a in get_args(tp)]
        for inner, tag in members:  # the part is a union tag
            if tag == part or (_is_model(inner) and _literal_default(inner) == part):
                return inner, None, True
        for inner, _ in members:  # an untagged union (X | None): step into the member that knows the part
            found = _step(inner, part)
            if found[0] is not None:
                return found
    return None, None, False


def _literal_default(model: type[BaseModel]) -> Any:
    info = model.model_fields.get("type")
    if info is not None and get_origin(info.annotation) is Literal:
        return get_args(info.annotation)[0]
    return None


def _tags(root: type[BaseModel], loc: Sequence) -> list[bool]:
    """For each part of ``loc``: is it a union tag (not a key of the user's data)?"""
    out, tp = [], root
    for part in loc:
        if tp is None:
            out.append(False)
            continue
        tp, _, is_tag = _step(tp, part)
        out.append(is_tag)
    return out


def _walk(root: type[BaseModel], loc: Sequence) -> tuple[Any, FieldInfo | None]:
    tp, info = root, None
    for part in loc:
        tp, new_info, _ = _step(tp, part)
        info = new_info if new_info is not None else info
        if tp is None:
            return None, None
    return tp, info


def _allowed_keys(root: type[BaseModel], loc: Sequence) -> list[str]:
    tp, _ = _walk(root, loc)
    tp, _ = _strip(tp)
    if _is_model(tp):
        return [info.alias or name for name, info in tp.model_fields.items()]
    return []


def _field_info(root: type[BaseModel], loc: Sequence) -> FieldInfo | None:
    # the field is the last model attribute on the path (list indices below it keep it)
    for end in range(len(loc), 0, -1):
        tp, info = _walk(root, loc[:end])
        if info is not None and isinstance(loc[end - 1], str):
            return info
    return None


def _bounds(root: type[BaseModel], loc: Sequence) -> str | None:
    info = _field_info(root, loc)
    if info is None:
        return None
    low = high = None
    for m in info.metadata:
        if isinstance(m, at.Ge):
            low = f"{m.ge} <= value"
        elif isinstance(m, at.Gt):
            low = f"{m.gt} < value"
        elif isinstance(m, at.Le):
            high = f"value <= {m.le}"
        elif isinstance(m, at.Lt):
            high = f"value < {m.lt}"
    if low and high:
        return "valid: " + low + high.removeprefix("value")
    return "valid: " + (low or high) if (low or high) else None


def _description(root: type[BaseModel], loc: Sequence) -> str | None:
    info = _field_info(root, loc)
    return f"{loc[-1]}: {info.description}" if info is not None and info.description else None
