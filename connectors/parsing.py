"""One way for the four clients to read a response into its model.

A body that does not match its model is `BadData` whose message names the call, the model and where
the body is wrong (`items[3].start: missing`), and never a value: a pydantic `ValidationError`'s text
quotes the input, which may be a customer's data or a token a service echoed, and it would otherwise
reach the run log (issue 7). The error is raised `from None`, so no traceback carries it either.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any, TypeVar, overload

from pydantic import TypeAdapter, ValidationError

from connectors.errors import BadData

M = TypeVar("M")
SHOWN_PROBLEMS = 3


@overload
def parse(shape: type[M], data: Any, *, service: str, method: str, path: str) -> M: ...
@overload
def parse(shape: Any, data: Any, *, service: str, method: str, path: str) -> Any: ...
def parse(shape: Any, data: Any, *, service: str, method: str, path: str) -> Any:
    """`data` validated as `shape` (a model, or a type like `list[TrelloCard]`); BadData otherwise."""
    try:
        return _adapter(shape).validate_python(data)
    except ValidationError as exc:
        raise BadData(
            f"{service} {method} {path} returned a body that does not match {_name(shape)}: {_where(exc)}",
            service=service,
            method=method,
            path=path,
        ) from None


@functools.cache
def _adapter(shape: Any) -> TypeAdapter[Any]:
    return TypeAdapter(shape)


def _name(shape: Any) -> str:
    """`TrelloCard`, `list[TrelloCard]`: the type without its modules."""
    return shape.__name__ if isinstance(shape, type) else re.sub(r"(?:\w+\.)+(\w+)", r"\1", repr(shape))


def _where(exc: ValidationError) -> str:
    """The first problems as `field.path: kind`; pydantic's error type, never its message (it may quote)."""
    errors = exc.errors(include_input=False, include_url=False, include_context=False)
    shown = [f"{_path(error['loc'])}: {error['type']}" for error in errors[:SHOWN_PROBLEMS]]
    more = len(errors) - len(shown)
    return "; ".join(shown) + (f" (and {more} more)" if more else "")


def _path(loc: Sequence[int | str]) -> str:
    text = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    return text or "(the body)"
