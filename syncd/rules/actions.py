"""What a rule may do: one pydantic model per action type, its plan step, and the writer call it plans.

Planning turns a spec into a `Draft` (which writer method to call with which arguments) without
any I/O; the executor later calls `getattr(writer, draft.method)(**args, key=ledger_key)`, so the
ledger's intent alone is enough to replay a write after a crash. `raise_finding` plans a
finding instead: findings go to the state store, never to a vendor.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from syncd.clock import to_iso
from syncd.rules.context import FactContext, Subject, entity_of, field_value
from syncd.rules.facts import FACTS, NoArgs, compute_fact
from syncd.rules.fields import entity_fields

Severity = Literal["info", "warning", "critical"]
TICKETS_ONLY = ("link_configuration", "post_note", "link_parent")


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LinkConfiguration(_Action):
    """Link the ticket's device, as identity resolution found it, to the ticket as a configuration."""

    type: Literal["link_configuration"]


class PostNote(_Action):
    """Post an internal note: `text` is a template over fields, facts and params; `template` names a renderer."""

    type: Literal["post_note"]
    text: str | None = Field(default=None, description="e.g. 'No time logged on #{number}; {time_logged_hours}h'")
    template: str | None = Field(default=None, description="a built-in renderer, e.g. patch_history")

    @model_validator(mode="after")
    def _one_source(self) -> PostNote:
        if (self.text is None) == (self.template is None):
            raise ValueError("give exactly one of text or template")
        return self


class RaiseFinding(_Action):
    """Raise a finding (for digests) about the record; it resolves itself when the rule stops matching."""

    type: Literal["raise_finding"]
    summary: str = Field(description="template, e.g. 'Ticket #{number} closed without a time entry'")
    severity: Severity | None = Field(default=None, description="default: the rule's severity")
    annotations: dict[str, str] = Field(default_factory=dict,
                                        description="templates for digests, e.g. {due: '{sla_response_due}'}")


class OpenTask(_Action):
    """Open a task: in the docs tool when one is configured, else a ticket on `board`."""

    type: Literal["open_task"]
    title: str = Field(description="template")
    description: str = Field(default="", description="template")
    board: str | None = Field(default=None, description="PSA board for the ticket (default: [rules] task board)")


class LinkParent(_Action):
    """Link the ticket as a child of an incident; `parent_fact` names a fact returning the parent's key."""

    type: Literal["link_parent"]
    parent_fact: str


ActionSpec = Annotated[
    LinkConfiguration | PostNote | RaiseFinding | OpenTask | LinkParent, Field(discriminator="type")
]
ACTION_MODELS: dict[str, type[_Action]] = {
    m.model_fields["type"].annotation.__args__[0]: m  # type: ignore[union-attr]  # Literal["x"] -> "x"
    for m in (LinkConfiguration, PostNote, RaiseFinding, OpenTask, LinkParent)
}


@dataclass(frozen=True, slots=True)
class ActionEnv:
    """The rule-level values an action's plan step needs."""

    rule_id: str
    severity: str
    labels: Mapping[str, str]
    params: Mapping[str, Any]
    ctx: FactContext


@dataclass(frozen=True, slots=True)
class Draft:
    """A write an action wants: writer (connector kind), method, arguments, and what tells it apart."""

    writer: str
    method: str
    args: Mapping[str, Any]
    summary: str
    discriminator: str | None = None


@dataclass(frozen=True, slots=True)
class FindingDraft:
    """A finding an action wants raised."""

    severity: str
    summary: str
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NotPlanned:
    """Why an action of a matching rule plans nothing for this record (for `explain`)."""

    reason: str


Planned = Draft | FindingDraft | NotPlanned
NoteTemplate = Callable[[Subject, ActionEnv], "str | None"]
NOTE_TEMPLATES: dict[str, tuple[str, NoteTemplate]] = {}


def note_template(name: str, description: str) -> Callable[[NoteTemplate], NoteTemplate]:
    """Register a built-in note renderer selectable as `post_note: {template: NAME}`."""

    def register(fn: NoteTemplate) -> NoteTemplate:
        if name in NOTE_TEMPLATES:
            raise ValueError(f"note template {name!r} is registered twice")
        NOTE_TEMPLATES[name] = (description, fn)
        return fn

    return register


def draft(spec: _Action, subject: Subject, env: ActionEnv) -> Planned:
    """Plan one action for one matching record; pure."""
    planner = _PLANNERS[type(spec)]
    return planner(spec, subject, env)


def _link_configuration(_spec: Any, subject: Subject, env: ActionEnv) -> Planned:
    identity = env.ctx.identity
    if identity is None:
        return NotPlanned("no identity resolution was supplied to this pass")
    found = identity.device_for_ticket(subject.source, subject.key)
    machine = found.machine if found is not None else None
    if machine is None or not machine.psa:
        why = (found.reason if found is not None else None) or "no device found"
        return NotPlanned(f"identity resolution has no PSA configuration for this ticket ({why})")
    if machine.psa in (subject.fields.get("configuration_ids") or ()):
        return NotPlanned(f"configuration {machine.psa} is already linked")
    args = {"ticket_id": subject.key, "configuration_id": machine.psa}
    summary = f"link configuration {machine.psa} to ticket {subject.key}"
    return Draft(subject.record.kind, "link_configuration", args, summary, machine.psa)


def _post_note(spec: PostNote, subject: Subject, env: ActionEnv) -> Planned:
    if spec.template is not None:
        text = NOTE_TEMPLATES[spec.template][1](subject, env)
        if not text:
            return NotPlanned(f"note template {spec.template!r} rendered nothing for this record")
    else:
        text = render(spec.text or "", subject, env)
    summary = f"post internal note on ticket {subject.key}: {_first_line(text)}"
    return Draft(subject.record.kind, "post_note", {"ticket_id": subject.key, "text": text}, summary)


def _raise_finding(spec: RaiseFinding, subject: Subject, env: ActionEnv) -> Planned:
    labels, annotations = subject_context(subject, env)
    labels.update(env.labels)  # the rule's own labels win over the record's
    annotations.update({k: render(v, subject, env) for k, v in spec.annotations.items()})
    return FindingDraft(spec.severity or env.severity, render(spec.summary, subject, env), labels, annotations)


def subject_context(subject: Subject, env: ActionEnv) -> tuple[dict[str, str], dict[str, str]]:
    """Labels (company, board, priority, owner) and annotations (ticket_number, summary) of a ticket finding."""
    if entity_of(subject.source) != "tickets":
        return {}, {}
    fields = subject.fields
    company = compute_fact(env.ctx, "company_name", subject)
    labels = {"company": str(company or fields.get("company_id") or ""), "board": str(fields.get("board") or ""),
              "priority": str(fields.get("priority") or ""), "owner": str(fields.get("owner") or "")}
    annotations = {"ticket_number": str(fields.get("number") or subject.key),
                   "summary": str(fields.get("summary") or "")}
    return {k: v for k, v in labels.items() if v}, annotations


def _open_task(spec: OpenTask, subject: Subject, env: ActionEnv) -> Planned:
    title, description = render(spec.title, subject, env), render(spec.description, subject, env)
    tasks = env.ctx.view.tasks
    if tasks.docs_kind:
        # The docs tool keeps its own company ids; without a company link the task is tenant-wide.
        args = {"company_id": None, "title": title, "description": description}
        return Draft(tasks.docs_kind, "open_task", args, f"open docs task: {title}")
    company = subject.fields.get("company_id")
    if company is None:
        return NotPlanned("no docs tool is configured and the record has no company for a PSA ticket")
    args = {"company_id": str(company), "summary": title, "description": description,
            "board": spec.board or tasks.board}
    return Draft(subject.record.kind, "create_ticket", args, f"open ticket on board {args['board']}: {title}")


def _link_parent(spec: LinkParent, subject: Subject, env: ActionEnv) -> Planned:
    parent = compute_fact(env.ctx, spec.parent_fact, subject)
    if not parent:
        return NotPlanned(f"fact {spec.parent_fact} found no parent incident")
    args = {"ticket_id": subject.key, "parent_id": str(parent)}
    return Draft(subject.record.kind, "link_parent", args, f"link ticket {subject.key} under {parent}", str(parent))


_PLANNERS: dict[type, Callable[[Any, Subject, ActionEnv], Planned]] = {
    LinkConfiguration: _link_configuration,
    PostNote: _post_note,
    RaiseFinding: _raise_finding,
    OpenTask: _open_task,
    LinkParent: _link_parent,
}


def _first_line(text: str, limit: int = 80) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --- templates: str.format_map over a mapping of plain values; never eval ---------------------


class TemplateValues(Mapping[str, Any]):
    """Names a template may use: rule_id/key/source/kind/entity/now, params, the record's fields, no-arg facts."""

    def __init__(self, subject: Subject, env: ActionEnv) -> None:
        self._subject, self._env = subject, env

    def __getitem__(self, name: str) -> Any:
        special = _SPECIAL.get(name)
        if special is not None:
            value = special(self._subject, self._env)
        elif name in self._env.params:
            value = self._env.params[name]
        elif name in FACTS:
            value = compute_fact(self._env.ctx, name, self._subject)
        else:
            value = field_value(self._subject, name)
        return "" if value is None else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._subject.fields)

    def __len__(self) -> int:
        return len(self._subject.fields)


# Read only when a template names them (a pass renders 70,000 placeholders at 200,000 tickets).
_SPECIAL: dict[str, Callable[[Subject, ActionEnv], Any]] = {
    "rule_id": lambda _s, env: env.rule_id,
    "key": lambda s, _env: s.key,
    "source": lambda s, _env: s.source,
    "kind": lambda s, _env: s.record.kind,
    "entity": lambda s, _env: entity_of(s.source),
    "now": lambda _s, env: to_iso(env.ctx.now),
}
SPECIAL_NAMES = tuple(_SPECIAL)


def render(template: str, subject: Subject, env: ActionEnv) -> str:
    """Fill a template's `{name}` placeholders (names were checked at load)."""
    return template.format_map(TemplateValues(subject, env))


def template_problems(template: str, entity: str, params: Mapping[str, Any]) -> list[str]:
    """Problems with a template's placeholders: syntax, attribute access, unknown names."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        return [f"bad template: {exc}"]
    problems = []
    for _text, name, _spec, _conv in parsed:
        if name is None:
            continue
        if not name.isidentifier():
            problems.append(f"placeholder {{{name}}} must be a plain name (no attributes, indexes or positions)")
        elif not _known_name(name, entity, params):
            problems.append(f"placeholder {{{name}}} is not a field of {entity}, a param, an argument-free fact "
                            f"or one of {', '.join(SPECIAL_NAMES)}")
    return problems


def _known_name(name: str, entity: str, params: Mapping[str, Any]) -> bool:
    fact = FACTS.get(name)
    no_arg_fact = fact is not None and fact.args is NoArgs and entity in fact.entities
    return name in SPECIAL_NAMES or name in params or no_arg_fact or name in entity_fields(entity)
