"""Turn the schemas of the four spec dialects into JSON Schema (draft 2020-12); validate with them.

Dialects: OpenAPI 3.0 (Trello), OpenAPI 3.1 (Notion), Swagger 2.0 (Toggl) and Google discovery
documents (Google Calendar). A :class:`SchemaSet` holds the named schemas of one spec
(``components.schemas``, ``definitions`` or the discovery ``schemas``), converts each of them once
and caches one validator per response schema, because response checks run on every request of a
test suite.

The conversion is deliberately *structural*: it keeps ``type``, ``properties``, ``items``,
``additionalProperties`` (schema form only), ``required`` and the combinators, and drops everything
else. Leniencies, each because the official specs are known to be wrong or because real APIs evolve:

* ``format`` is never enforced: Trello types date-times as ``format: date``; Google sends int64 as
  strings with ``format: int64``; no format checker is passed to the validator either.
* ``enum``, ``const``, ``pattern`` and numeric/length bounds are dropped: response enums lag behind
  the live APIs (e.g. Trello's ``Color`` lacks ``green_dark`` and friends).
* ``additionalProperties: false`` is dropped: real APIs add fields, unknown properties never fail.
* ``oneOf`` becomes ``anyOf``: the specs use ``oneOf`` where branches overlap (a null matches every
  nullable branch), and "matches more than one" is never the bug we are after.
* With ``null_everywhere`` (Trello, Toggl) every typed node also accepts ``null``: both APIs return
  ``null`` for many fields the spec does not mark nullable (Trello ``descData``,
  ``checkItemStates``; Toggl ``stop``, ``tags``, ``tag_ids`` of running or untagged entries).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

Dialect = Literal["oas30", "oas31", "swagger2", "discovery"]
JsonSchema = dict[str, Any]

#: Maximum number of problems reported for one body, and characters per message.
MAX_PROBLEMS = 20
MAX_MESSAGE = 240

_REF_PREFIXES = ("#/components/schemas/", "#/definitions/")
_NOT_JSON_TYPES = frozenset({"any", "file"})  # discovery "any", Swagger "file": no constraint


def def_name(ref: str) -> str:
    """The schema name a ``$ref`` points to (discovery refs are bare names like ``Event``)."""
    for prefix in _REF_PREFIXES:
        if ref.startswith(prefix):
            return ref[len(prefix) :].replace("~1", "/").replace("~0", "~")
    return ref


def _defs_ref(name: str) -> str:
    return "#/$defs/" + name.replace("~", "~0").replace("/", "~1")


def _or_null(schema: JsonSchema) -> JsonSchema:
    return {"anyOf": [schema, {"type": "null"}]}


class SchemaSet:
    """The named schemas of one spec, converted once, with cached validators.

    ``defs`` maps schema names to raw schemas in ``dialect``; raw schemas handed to the methods
    below may ``$ref`` them in the dialect's own syntax.
    """

    def __init__(self, defs: Mapping[str, Any], dialect: Dialect, *, null_everywhere: bool = False):
        self.dialect: Dialect = dialect
        self.null_everywhere = null_everywhere
        self._raw = defs
        self._defs: JsonSchema = {name: self.convert(schema) for name, schema in defs.items()}
        self._validators: dict[int, tuple[object, Draft202012Validator]] = {}

    # -- raw (dialect) helpers ---------------------------------------------------------------

    def deref(self, node: Any) -> Mapping[str, Any]:
        """Follow ``$ref`` chains of a raw schema; non-mappings become the empty schema."""
        seen: set[str] = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            name = def_name(node["$ref"])
            if name in seen or name not in self._raw:
                return {}
            seen.add(name)
            node = self._raw[name]
        return node if isinstance(node, Mapping) else {}

    def top_level(self, node: Any) -> tuple[frozenset[str] | None, frozenset[str]]:
        """Top-level property names of an object schema and its required names.

        The names are ``None`` when the object is open: it declares no properties, allows
        additional properties explicitly, or one of its ``allOf``/``anyOf``/``oneOf`` parts is open.
        """
        node = self.deref(node)
        names: set[str] | None = set(node.get("properties") or {})
        required = {r for r in node.get("required") or () if isinstance(r, str)}
        for part in node.get("allOf") or ():
            part_names, part_required = self.top_level(part)
            names = None if names is None or part_names is None else names | part_names
            required |= part_required
        for key in ("anyOf", "oneOf"):  # alternatives: any branch's field is acceptable
            for part in node.get(key) or ():
                part_names = self.top_level(part)[0]
                names = None if names is None or part_names is None else names | part_names
        if not names or node.get("additionalProperties") not in (None, False):
            names = None
        return (None if names is None else frozenset(names)), frozenset(required)

    # -- conversion ----------------------------------------------------------------------------

    def _nullable(self, node: Mapping[str, Any]) -> bool:
        return bool(node.get("nullable") or node.get("x-nullable"))

    def convert(self, node: Any) -> JsonSchema:
        """Convert one raw schema to structural JSON Schema 2020-12 (see the module docstring)."""
        if not isinstance(node, Mapping):
            return {}  # `true`, a broken entry or a description-only stub: accept anything
        if isinstance(node.get("$ref"), str):
            ref: JsonSchema = {"$ref": _defs_ref(def_name(node["$ref"]))}
            if self.dialect != "oas31":
                # OpenAPI 3.0 / Swagger 2.0 ignore siblings of $ref (Trello writes
                # {"type": "string", "$ref": Color}); keep only the nullability they signal.
                return _or_null(ref) if self._nullable(node) else ref
            rest = self.convert({k: v for k, v in node.items() if k != "$ref"})
            return {**ref, **rest}
        out = self._convert_keywords(node)
        types = self._types(node)
        if types:
            out["type"] = types[0] if len(types) == 1 else types
        elif self._nullable(node) and out:
            return _or_null(out)
        return out

    def _types(self, node: Mapping[str, Any]) -> list[str]:
        raw = node.get("type")
        types = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
        types = [t for t in types if isinstance(t, str) and t not in _NOT_JSON_TYPES]
        if types and (self.null_everywhere or self._nullable(node)) and "null" not in types:
            types.append("null")
        return types

    def _convert_keywords(self, node: Mapping[str, Any]) -> JsonSchema:
        out: JsonSchema = {}
        props = node.get("properties")
        if isinstance(props, Mapping):
            out["properties"] = {name: self.convert(sub) for name, sub in props.items()}
        if isinstance(node.get("items"), Mapping):  # tuple-form items never occur in these specs
            out["items"] = self.convert(node["items"])
        if isinstance(node.get("additionalProperties"), Mapping):  # maps, e.g. extendedProperties
            out["additionalProperties"] = self.convert(node["additionalProperties"])
        required = node.get("required")
        if isinstance(required, list) and required:
            out["required"] = [r for r in required if isinstance(r, str)]
        for key, target in (("allOf", "allOf"), ("anyOf", "anyOf"), ("oneOf", "anyOf")):
            parts = node.get(key)
            if isinstance(parts, list) and parts:
                out.setdefault(target, []).extend(self.convert(part) for part in parts)
        return out

    # -- validation ----------------------------------------------------------------------------

    def validator(self, raw: Mapping[str, Any]) -> Draft202012Validator:
        """Return the cached validator for a raw schema (keyed by the schema object's identity)."""
        hit = self._validators.get(id(raw))
        if hit is not None and hit[0] is raw:
            return hit[1]
        root = {"$defs": self._defs, **self.convert(raw)}
        validator = Draft202012Validator(root)
        self._validators[id(raw)] = (raw, validator)  # keep `raw` alive so its id stays unique
        return validator

    def problems(self, raw: Mapping[str, Any], instance: Any, *, skip_required: bool = False) -> list[str]:
        """Human-readable violations of ``instance`` against the raw schema ``raw``."""
        errors = (_most_relevant(e) for e in self.validator(raw).iter_errors(instance))
        kept = [e for e in errors if not (skip_required and e.validator == "required")]
        return [_describe(e) for e in sorted(kept, key=lambda e: e.json_path)[:MAX_PROBLEMS]]


def _most_relevant(error: ValidationError) -> ValidationError:
    """For ``anyOf`` failures, descend to the branch error that explains the most."""
    while error.context:
        deeper = best_match(error.context)
        if deeper is None:
            break
        error = deeper
    return error


_JSON_TYPE_NAMES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    type(None): "null",
}


def _describe(error: ValidationError) -> str:
    """``$.items[1].duration: expected integer or null, got string '5'`` (values shortened)."""
    if error.validator == "type":
        expected = error.validator_value
        wanted = " or ".join(expected) if isinstance(expected, list) else str(expected)
        got = _JSON_TYPE_NAMES.get(type(error.instance), "number")
        message = f"expected {wanted}, got {got} {_short(error.instance)}"
    else:
        message = error.message
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 3] + "..."
    return f"{error.json_path}: {message}"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def iter_types(schema: Mapping[str, Any]) -> Iterable[str]:
    """The JSON types a raw parameter schema names (``type`` may be a string or a list)."""
    raw = schema.get("type")
    if isinstance(raw, str):
        yield raw
    elif isinstance(raw, list):
        yield from (t for t in raw if isinstance(t, str))
