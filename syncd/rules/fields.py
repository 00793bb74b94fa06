"""Value kinds: what a normalized field or a fact's result holds, so the loader can type-check conditions."""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin

from syncd.vocabulary import ENTITIES

KindName = Literal["string", "number", "bool", "datetime", "list", "mapping", "any"]


@dataclass(frozen=True, slots=True)
class Kind:
    """The kind of a value, the closed set of values it may take (enums, literals), and whether it may be null."""

    name: KindName
    choices: tuple[str, ...] = ()
    nullable: bool = False

    def describe(self) -> str:
        """Human text such as "string (one of: new, closed)" for error messages."""
        text = self.name
        if self.choices:
            text += f" (one of: {', '.join(self.choices)})"
        return text


ANY = Kind("any", nullable=True)


def kind_of(annotation: Any) -> Kind:
    """Map a type annotation (field or fact result) to its Kind."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        inner = kind_of(members[0]) if len(members) == 1 else ANY
        return Kind(inner.name, inner.choices, nullable=True)
    if origin is Literal:
        return Kind("string", tuple(str(a) for a in get_args(annotation)))
    if origin in (list, tuple, set, frozenset):
        return Kind("list")
    if origin is dict:
        return Kind("mapping")
    return _simple_kind(annotation)


def _simple_kind(annotation: Any) -> Kind:
    """Kind of a plain class annotation."""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return Kind("string", tuple(str(m.value) for m in annotation))
    # bool before int/float: bool is an int subclass, and True must not pass for a number.
    table: list[tuple[type, KindName]] = [
        (bool, "bool"), (int, "number"), (float, "number"), (str, "string"), (datetime, "datetime"),
        (list, "list"), (dict, "mapping"),
    ]
    for cls, name in table:
        if annotation is cls:
            return Kind(name)
    return ANY


@cache
def entity_fields(entity: str) -> dict[str, Kind]:
    """The normalized fields of an entity and their kinds; `id` is the record key."""
    model = ENTITIES[entity]
    return {name: kind_of(info.annotation) for name, info in model.model_fields.items()}


def field_kind(entity: str, path: str) -> Kind | None:
    """Kind of `path` on an entity (`status`, or `custom.code` inside a mapping field); None when unknown."""
    head, _, rest = path.partition(".")
    kind = entity_fields(entity).get(head)
    if kind is None or not rest:
        return kind
    return ANY if kind.name == "mapping" else None


def known_entities() -> list[str]:
    """Entity names a rule may look at."""
    return sorted(ENTITIES)
