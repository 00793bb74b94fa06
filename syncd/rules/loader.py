"""Read rule files, validate them completely, and report every problem as `file:line: key.path: message`.

Each file is parsed twice from the same text: `yaml.compose` gives the node tree with line marks,
`yaml.safe_load` the data. Pydantic validates the shape; then each rule is compiled against the
vocabulary, the fact registry and its params. Every error's `loc` is walked down the node tree
to find its line. Nothing stops at the first problem.

`[rules] overrides` ({rule id: {name: value}}) sets a rule's params; a name that is not one of
the rule's params but one of `OVERRIDABLE_FIELDS` (`max_actions_per_run`, `repeat_interval`) sets
that rule field instead, validated like the field in a rule file (a positive integer; a duration
such as 12h). Any other name, or a value the field rejects, is a problem `rules.overrides.ID.NAME`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, PositiveInt, TypeAdapter, ValidationError

from syncd.errors import ConfigError
from syncd.rules.actions import (
    ACTION_MODELS,
    NOTE_TEMPLATES,
    TICKETS_ONLY,
    ActionSpec,
    LinkParent,
    PostNote,
    template_problems,
)
from syncd.rules.conditions import Loc, Node, Problem, compile_condition
from syncd.rules.facts import FACTS  # importing the module registers the generic facts
from syncd.rules.fields import known_entities
from syncd.rules.model import CONDITION_TAGS, AllOf, AnyOf, Compare, Condition, NotOf, Rule, RuleDuration

# Modules that register more facts, imported here by name so the registry never depends on
# who happened to import what. The second step of the fact work adds its module to this tuple.
FACT_MODULES: tuple[str, ...] = (
    "syncd.rules.facts_history", "syncd.rules.facts_sla", "syncd.rules.facts_devices", "syncd.rules.facts_symptoms",
    "syncd.rules.facts_identity",
    "syncd.rules.templates",  # registers note templates (patch_history), checked by the loader like facts
)
for _module in FACT_MODULES:
    importlib.import_module(_module)

BUILTIN_DIR = Path(__file__).with_name("builtin")
_TAGS = frozenset(CONDITION_TAGS) | frozenset(ACTION_MODELS)
_CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)
_ACTION: TypeAdapter[Any] = TypeAdapter(ActionSpec)
# Rule fields an operator may override per rule in `[rules] overrides`, besides the params.
OVERRIDABLE_FIELDS: dict[str, TypeAdapter[Any]] = {
    "max_actions_per_run": TypeAdapter(PositiveInt), "repeat_interval": TypeAdapter(RuleDuration),
}
_TAG_MODELS: dict[str, type[BaseModel]] = {
    "all_of": AllOf, "any_of": AnyOf, "not_of": NotOf, "compare": Compare, **ACTION_MODELS,
}


@dataclass(frozen=True)
class LoadedRule:
    """A validated, compiled rule: its spec, where it came from, its effective params and conditions."""

    spec: Rule
    path: Path
    params: Mapping[str, Any]
    when: Node
    where: Node | None = None
    lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The rule id (equals the file stem)."""
        return self.spec.id


def load_rules(
    dirs: Iterable[str | Path], *, overrides: Mapping[str, Mapping[str, Any]] | None = None, builtin: bool = True
) -> tuple[list[LoadedRule], list[str]]:
    """Load the built-in pack (unless builtin=False) and every `*.yaml` in `dirs`; return rules and ALL problems."""
    overrides = overrides or {}
    rules: list[LoadedRule] = []
    problems: list[str] = []
    first_seen: dict[str, Path] = {}
    files = _rule_files(dirs, builtin, problems)
    for path in files:
        rule, file_problems = load_file(path, overrides)
        problems.extend(file_problems)
        if rule is None:
            continue
        if rule.id in first_seen:
            problems.append(f"{path}:{rule.lines.get('id', 1)}: id: duplicate rule id {rule.id!r}, "
                            f"already defined in {first_seen[rule.id]}")
            continue
        first_seen[rule.id] = path
        rules.append(rule)
    problems.extend(_override_problems(overrides, {r.id: r for r in rules}, {p.stem for p in files}))
    return rules, problems


def load_rules_or_raise(
    dirs: Iterable[str | Path], *, overrides: Mapping[str, Mapping[str, Any]] | None = None, builtin: bool = True
) -> list[LoadedRule]:
    """Like load_rules, but raise ConfigError listing every problem when there is any."""
    rules, problems = load_rules(dirs, overrides=overrides, builtin=builtin)
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in rule files", problems=problems)
    return rules


def _rule_files(dirs: Iterable[str | Path], builtin: bool, problems: list[str]) -> list[Path]:
    """Rule files in load order: the built-in pack, then each directory's files by name."""
    roots = ([BUILTIN_DIR] if builtin else []) + [Path(d) for d in dirs]
    files: list[Path] = []
    for root in roots:
        if not root.is_dir():
            problems.append(f"{root}: rules directory does not exist")
            continue
        files.extend(sorted(p for p in root.glob("*.yaml") if not p.name.endswith(".test.yaml")))
    return files


def load_file(
    path: Path, overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> tuple[LoadedRule | None, list[str]]:
    """Load one rule file; return the rule (None when it has problems) and its problems."""
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{path}:1: cannot read: {exc}"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return None, [f"{path}:{line}: not valid YAML: {getattr(exc, 'problem', None) or exc}"]
    if not isinstance(data, dict) or root is None:
        return None, [f"{path}:1: a rule file is a YAML mapping (id, description, entity, when, actions, ...)"]
    raw = _duplicate_keys(root)
    try:
        spec = Rule.model_validate(data)
    except ValidationError as exc:
        raw.extend((tuple(err["loc"]), _message(err)) for err in exc.errors())
        _check_valid_parts(data, path, {err["loc"][:2] for err in exc.errors()}, overrides or {}, raw)
        return None, _format(path, root, raw)
    spec, param_overrides, override_problems = _apply_overrides(spec, (overrides or {}).get(spec.id, {}))
    params = {**spec.params, **param_overrides}
    rule = _compile(spec, path, params, raw)
    if raw or rule is None or override_problems:
        return None, _format(path, root, raw) + override_problems
    return replace(rule, lines={"id": locate(root, ("id",))[0]}), []


def _apply_overrides(spec: Rule, values: Mapping[str, Any]) -> tuple[Rule, dict[str, Any], list[str]]:
    """The rule with overridden fields set, the param overrides, and problems with overridden field values."""
    params: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in values.items():
        if name in spec.params or name not in OVERRIDABLE_FIELDS:
            params[name] = value  # unknown names are reported by _override_problems
            continue
        try:
            fields[name] = OVERRIDABLE_FIELDS[name].validate_python(value)
        except ValidationError as exc:
            problems += [f"rules.overrides.{spec.id}.{name}: {_message(err)}" for err in exc.errors()]
    return (spec.model_copy(update=fields) if fields else spec), params, problems


def _compile(spec: Rule, path: Path, params: Mapping[str, Any], problems: list[Problem]) -> LoadedRule | None:
    """Cross-check a structurally valid rule against the vocabulary, facts, params and its file name."""
    if spec.id != path.stem:
        problems.append((("id",), f"id {spec.id!r} must equal the file name {path.stem!r}"))
    common = {"entity": spec.entity, "params": params, "problems": problems}
    when = compile_condition(spec.when, loc=("when",), **common)  # type: ignore[arg-type]
    where = compile_condition(spec.where, loc=("where",), **common) if spec.where else None  # type: ignore[arg-type]
    _check_actions(spec, params, problems)
    if when is None or problems:
        return None
    return LoadedRule(spec, path, dict(params), when, where)


def _check_valid_parts(data: dict[str, Any], path: Path, failed: set[Loc],
                       overrides: Mapping[str, Mapping[str, Any]], problems: list[Problem]) -> None:
    """After shape errors, still cross-check the parts that are well-formed, so one run lists everything."""
    entity, params, rule_id = data.get("entity"), data.get("params"), data.get("id")
    if entity not in known_entities():
        return
    if not isinstance(params, dict) or any(loc[0] == "params" for loc in failed):
        params = {}
    params = {**params, **overrides.get(str(rule_id), {})}
    if isinstance(rule_id, str) and ("id",) not in failed and rule_id != path.stem:
        problems.append((("id",), f"id {rule_id!r} must equal the file name {path.stem!r}"))
    for key in ("where", "when"):
        if key in data and not any(loc[0] == key for loc in failed):
            node = _CONDITION.validate_python(data[key])
            compile_condition(node, entity=entity, params=params, loc=(key,), problems=problems)
    actions = data.get("actions")
    for i, raw in enumerate(actions if isinstance(actions, list) else []):
        if ("actions", i) not in failed:
            action = _ACTION.validate_python(raw)
            _check_action(action, ("actions", i), entity, params, problems)


def _check_actions(spec: Rule, params: Mapping[str, Any], problems: list[Problem]) -> None:
    """Action checks that need the entity, the registries and the params."""
    seen: set[str] = set()
    for i, action in enumerate(spec.actions):
        if action.type in seen:
            problems.append((("actions", i, "type"), f"action {action.type} is used twice; a rule does each once"))
        seen.add(action.type)
        _check_action(action, ("actions", i), spec.entity, params, problems)


def _check_action(action: Any, loc: Loc, entity: str, params: Mapping[str, Any], problems: list[Problem]) -> None:
    """One action against the entity, the template and fact registries, and the params."""
    if action.type in TICKETS_ONLY and entity != "tickets":
        problems.append(((*loc, "type"), f"action {action.type} acts on tickets, not {entity}"))
    if isinstance(action, PostNote) and action.template is not None and action.template not in NOTE_TEMPLATES:
        known = ", ".join(sorted(NOTE_TEMPLATES)) or "none yet"
        problems.append(((*loc, "template"), f"unknown note template {action.template!r}; known: {known}"))
    if isinstance(action, LinkParent):
        fact = FACTS.get(action.parent_fact)
        if fact is None or entity not in fact.entities:
            problems.append(((*loc, "parent_fact"), f"unknown fact {action.parent_fact!r} for {entity}; "
                                                     f"known: {', '.join(sorted(FACTS))}"))
    for key in ("text", "summary", "title", "description"):
        template = getattr(action, key, None)
        if isinstance(template, str):
            problems.extend(((*loc, key), p) for p in template_problems(template, entity, params))
    for name, template in (getattr(action, "annotations", None) or {}).items():
        problems.extend(((*loc, "annotations", name), p) for p in template_problems(template, entity, params))


def _override_problems(overrides: Mapping[str, Mapping[str, Any]], rules: Mapping[str, LoadedRule],
                       files: set[str]) -> list[str]:
    """Overrides naming a rule or a param that does not exist (config typos must not pass silently)."""
    problems = []
    for rule_id, values in overrides.items():
        rule = rules.get(rule_id)
        if rule is None:
            if rule_id not in files:  # a rule file with problems of its own has already been reported
                problems.append(f"rules.overrides.{rule_id}: no rule file has this id")
            continue
        for name in values:
            if name not in rule.spec.params and name not in OVERRIDABLE_FIELDS:
                known = ", ".join(sorted(rule.spec.params)) or "none"
                problems.append(f"rules.overrides.{rule_id}.{name}: rule {rule_id} has no param {name!r}; "
                                f"its params: {known} (besides {', '.join(OVERRIDABLE_FIELDS)})")
    return problems


def _message(err: Any) -> str:
    """A pydantic error as a message for a rule author."""
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        model = next((_TAG_MODELS[p] for p in reversed(err["loc"][:-1]) if p in _TAG_MODELS), Rule)
        known = ", ".join(f.alias or n for n, f in model.model_fields.items())
        return f"unknown key {err['loc'][-1]!r}; known keys: {known}"
    if kind == "missing":
        return "required key is missing"
    return msg.removeprefix("Value error, ")


def _duplicate_keys(root: yaml.Node) -> list[Problem]:
    """YAML silently keeps the last of two equal keys; report the repeat (at its own line) instead."""
    problems: list[Problem] = []

    def walk(node: yaml.Node, loc: Loc) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key, value in node.value:
                if key.value in seen:
                    line = key.start_mark.line + 1
                    problems.append(((*loc, key.value, _AtLine(line)), "duplicate key; YAML would silently keep "
                                                                       "the last one"))
                seen.add(key.value)
                walk(value, (*loc, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*loc, i))

    walk(root, ())
    return problems


def _format(path: Path, root: yaml.Node, problems: list[Problem]) -> list[str]:
    """`file:line: key.path: message` for each problem, in line order."""
    located = []
    for loc, message in problems:
        line, key_path = locate(root, loc)
        located.append((line, f"{path}:{line}: {key_path + ': ' if key_path else ''}{message}"))
    return [text for _line, text in sorted(located, key=lambda item: item[0])]


class _AtLine(int):
    """A loc element that pins the line (a repeated key, which a key lookup would find at its first use)."""


def locate(root: yaml.Node, loc: Loc) -> tuple[int, str]:
    """The line of the YAML node at `loc` (or of its nearest existing parent) and the key path to show."""
    node: yaml.Node | None = root
    line, shown = root.start_mark.line + 1, ""
    for part in loc:
        if isinstance(part, _AtLine):
            return int(part), shown
        if isinstance(part, str) and part in _TAGS:
            continue  # a union tag pydantic puts in the loc; it is not a key in the file
        shown += f"[{part}]" if isinstance(part, int) else f"{'.' if shown else ''}{part}"
        found = _child(node, part) if node is not None else None
        if found is None:
            node = None  # missing in the file (a required key): keep the parent's line, still show the path
            continue
        line, node = found[0].start_mark.line + 1, found[1]
    return line, shown


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node, yaml.Node] | None:
    """(key node, value node) of a mapping entry, or (item, item) of a sequence item."""
    if isinstance(node, yaml.MappingNode):
        return next(((k, v) for k, v in node.value if k.value == str(part)), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part], node.value[part]
    return None
