"""The rule file schema: pydantic models with `extra="forbid"`; `rule.schema.json` is generated from them.

These models check the shape of a file. What needs the vocabulary and the fact registry (does
the field exist, does the op suit its type, do the fact's args validate, does the param exist)
is checked when the loader compiles the conditions (`syncd.rules.conditions.compile_condition`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PositiveInt,
    StringConstraints,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from syncd.durations import Duration
from syncd.rules.actions import ActionSpec, Severity
from syncd.rules.fields import known_entities

OpName = Literal[
    "eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "contains", "matches", "present", "absent",
    "older_than", "within",
]
RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
ParamName = Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]*$")]
Scalar = str | int | float | bool
RuleDuration = Annotated[
    Duration,
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^(\d+(\.\d+)?(ms|s|m|h|d|w))+$"},
                              {"type": "number", "minimum": 0}],
                    "description": "a duration such as 90s, 30m, 24h, 14d or 1h30m"}),
]
# Tags are not YAML keys, so the loader can tell them apart when it maps an error's loc to a line.
CONDITION_TAGS = ("all_of", "any_of", "not_of", "compare")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Compare(_Strict):
    """Test one normalized field (`field:`) or one named fact (`fact:`, with `args:`) with an op."""

    field: str | None = Field(default=None, description="a normalized field of the rule's entity, e.g. status_class")
    fact: str | None = Field(default=None, description="a registered fact, e.g. time_logged_hours")
    args: dict[str, Any] = Field(default_factory=dict, description="the fact's arguments")
    op: OpName
    value: Any = Field(default=None, description="what to compare with; {param: NAME} uses a rule param")

    @model_validator(mode="after")
    def _field_or_fact(self) -> Compare:
        if (self.field is None) == (self.fact is None):
            raise ValueError("a comparison names exactly one of field or fact")
        if self.args and self.fact is None:
            raise ValueError("args are given to facts only")
        return self


class AllOf(_Strict):
    """True when every condition is."""

    all: Annotated[list[Condition], Field(min_length=1)]


class AnyOf(_Strict):
    """True when at least one condition is."""

    any: Annotated[list[Condition], Field(min_length=1)]


class NotOf(_Strict):
    """True when the condition is not."""

    not_: Condition = Field(alias="not")


def _condition_tag(value: Any) -> str | None:
    """Pick the condition kind from its keys, so errors speak of that kind only."""
    if isinstance(value, BaseModel):
        return {AllOf: "all_of", AnyOf: "any_of", NotOf: "not_of", Compare: "compare"}.get(type(value))
    if not isinstance(value, dict):
        return None
    for key, tag in (("all", "all_of"), ("any", "any_of"), ("not", "not_of")):
        if key in value:
            return tag
    return "compare" if "field" in value or "fact" in value or "op" in value else None


Condition = Annotated[
    Annotated[AllOf, Tag("all_of")] | Annotated[AnyOf, Tag("any_of")] | Annotated[NotOf, Tag("not_of")]
    | Annotated[Compare, Tag("compare")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message="a condition is {all: [...]}, {any: [...]}, {not: ...} or {field|fact: ..., op: ...}",
    ),
]


class Rule(_Strict):
    """One rule file."""

    id: RuleId = Field(description="kebab-case; equals the file name without .yaml")
    description: str = Field(min_length=1, description="what the rule finds, for a coordinator")
    entity: str = Field(json_schema_extra={"enum": known_entities()},
                        description="the normalized entity the rule looks at, across every vendor")
    enabled: bool = True
    where: Condition | None = Field(default=None, description="pre-filter: which records the rule looks at")
    when: Condition = Field(description="when the rule fires")
    hold_for: RuleDuration = Field(default=timedelta(0), alias="for",
                                   description="how long `when` must hold before acting")
    repeat_interval: RuleDuration = Field(default=timedelta(hours=24),
                                          description="least time between two actions on the same record")
    max_actions_per_run: PositiveInt = Field(default=25, description="blast-radius cap: records touched per pass")
    severity: Severity = "warning"
    labels: dict[str, str] = Field(default_factory=dict, description="for digest routing and grouping")
    params: dict[ParamName, Scalar | list[Scalar]] = Field(
        default_factory=dict, description="named thresholds with defaults; config may override them"
    )
    actions: Annotated[list[ActionSpec], Field(min_length=1)]

    @field_validator("entity")
    @classmethod
    def _known_entity(cls, value: str) -> str:
        if value not in known_entities():
            raise ValueError(f"unknown entity {value!r}; known: {', '.join(known_entities())}")
        return value


AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()
Rule.model_rebuild()
