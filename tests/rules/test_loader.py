"""The loader reports every problem with its file, line and key path, and loads good rules."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from syncd.errors import ConfigError
from syncd.rules import load_rules, load_rules_or_raise

from .conftest import FIXTURES, write_rule

GOOD = """description: d
entity: tickets
when: {field: status_class, op: eq, value: closed}
actions:
  - {type: raise_finding, summary: "Ticket #{number}"}
"""


def problems_of(directory: Path, **kwargs: object) -> list[str]:
    _rules, problems = load_rules([directory], builtin=False, **kwargs)  # type: ignore[arg-type]
    return problems


def test_five_mistakes_are_five_problems_on_their_lines() -> None:
    # Arrange
    path = FIXTURES / "bad" / "five-mistakes.yaml"
    # Act
    problems = problems_of(path.parent)
    # Assert
    assert [p.split(": ", 2)[:2] for p in problems] == [
        [f"{path}:4", "colour"],
        [f"{path}:8", "when.all[1].field"],
        [f"{path}:9", "when.all[2].value"],
        [f"{path}:10", "for"],
        [f"{path}:12", "actions[0]"],
    ]
    assert "unknown key 'colour'; known keys: id, description, entity" in problems[0]
    assert "unknown field 'priorty' of tickets; known: id, board," in problems[1]
    assert "bad regular expression '(printer'" in problems[2]
    assert "'5 minutes' is not a duration" in problems[3]
    assert "'post_notes'" in problems[4]
    assert "'post_note', 'raise_finding'" in problems[4]


@pytest.mark.parametrize(("condition", "expected"), [
    ("{fact: time_logged, op: lt, value: 1}", "unknown fact 'time_logged'; known: after_action_notes_within, "),
    ("{fact: notes_since, args: {duration: soon}, op: lt, value: 1}", "when.args.duration: 'soon' is not a duration"),
    ("{fact: notes_since, args: {duration: 3d, days: 3}, op: lt, value: 1}",
     "when.args.days: unknown argument 'days' of fact notes_since; known: duration"),
    ("{fact: notes_since, op: lt, value: 1}", "when.args.duration: fact notes_since needs argument 'duration'"),
    ("{fact: note_count, op: lt, value: {param: limit}}", "unknown param 'limit'; params of this rule: none"),
    ("{field: is_closed, op: eq, value: 'yes'}", "value 'yes' is a string; expected a bool"),
    ("{field: status_class, op: eq, value: shut}", "value 'shut' is not one of: new, in_progress"),
    ("{field: summary, op: lt, value: 3}", "op lt does not suit field 'summary', a string"),
    ("{field: updated, op: older_than, value: 3 days}", "'3 days' is not a duration"),
    ("{field: summary, op: absent, value: x}", "present and absent take no value"),
    ("{field: priority, op: in, value: P1}", "in/not_in need a non-empty list"),
    ("{field: status, op: eq}", "op eq needs a value"),
    ("{all: []}", "List should have at least 1 item"),
    ("{field: status, fact: note_count, op: present}", "a comparison names exactly one of field or fact"),
    ("{color: red}", "a condition is {all: [...]}"),
])
def test_condition_mistakes_are_reported_at_load(tmp_path: Path, condition: str, expected: str) -> None:
    # Arrange
    write_rule(tmp_path, "r", GOOD.replace("{field: status_class, op: eq, value: closed}", condition))
    # Act
    problems = problems_of(tmp_path)
    # Assert
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{tmp_path / 'r.yaml'}:4: when")
    assert expected in problems[0]


def test_id_must_equal_file_stem_and_be_unique(tmp_path: Path) -> None:
    # Arrange
    write_rule(tmp_path / "a", "same", GOOD)
    write_rule(tmp_path / "b", "same", GOOD)
    (tmp_path / "a" / "other.yaml").write_text("id: not-other\n" + GOOD, encoding="utf-8")
    # Act
    rules, problems = load_rules([tmp_path / "a", tmp_path / "b"], builtin=False)
    # Assert
    assert [r.id for r in rules] == ["same"]
    assert problems == [
        f"{tmp_path / 'a' / 'other.yaml'}:1: id: id 'not-other' must equal the file name 'other'",
        f"{tmp_path / 'b' / 'same.yaml'}:1: id: duplicate rule id 'same', already defined in "
        f"{tmp_path / 'a' / 'same.yaml'}",
    ]


def test_yaml_syntax_errors_and_duplicate_keys_have_lines(tmp_path: Path) -> None:
    # Arrange
    write_rule(tmp_path, "broken", "description: [unclosed\n")
    write_rule(tmp_path, "twice", GOOD + "description: again\n")
    # Act
    problems = problems_of(tmp_path)
    # Assert
    assert problems[0].startswith(f"{tmp_path / 'broken.yaml'}:3: not valid YAML")
    assert problems[1] == (f"{tmp_path / 'twice.yaml'}:7: description: duplicate key; "
                           "YAML would silently keep the last one")


def test_action_checks(tmp_path: Path) -> None:
    # Arrange
    write_rule(tmp_path, "acts", """description: d
entity: notes
when: {field: internal, op: eq, value: true}
actions:
  - {type: post_note, text: "see {ticket_id} {nope} {text.upper}"}
  - {type: post_note, template: nothing_like_it}
  - {type: link_parent, parent_fact: no_such_fact}
""")
    # Act
    problems = problems_of(tmp_path)
    # Assert
    messages = [p.split(": ", 1)[1] for p in problems]
    expected = [
        "actions[0].type: action post_note acts on tickets, not notes",
        "actions[0].text: placeholder {nope} is not a field of notes, a param, an argument-free fact or one of "
        "rule_id, key, source, kind, entity, now",
        "actions[0].text: placeholder {text.upper} must be a plain name (no attributes, indexes or positions)",
        "actions[1].type: action post_note is used twice; a rule does each once",
        "actions[1].type: action post_note acts on tickets, not notes",
        "actions[1].template: unknown note template 'nothing_like_it'; known: patch_history",
        "actions[2].type: action link_parent acts on tickets, not notes",
        "actions[2].parent_fact: unknown fact 'no_such_fact' for notes; known: after_action_notes_within, ",
    ]
    # The last message goes on to list every registered fact; its start is what matters here.
    assert messages[:-1] == expected[:-1]
    assert messages[-1].startswith(expected[-1])


def test_params_and_overrides(tmp_path: Path) -> None:
    # Arrange
    write_rule(tmp_path, "stale", """description: d
entity: tickets
params: {stale_after: 3d}
when: {field: updated, op: older_than, value: {param: stale_after}}
actions: [{type: raise_finding, summary: "stale after {stale_after}"}]
""")
    # Act
    rules, problems = load_rules([tmp_path], builtin=False, overrides={"stale": {"stale_after": "5d"}})
    _bad_rules, bad = load_rules([tmp_path], builtin=False,
                                overrides={"stale": {"stale_afterr": "5d"}, "ghost": {"x": 1}})
    wrong_type = problems_of(tmp_path, overrides={"stale": {"stale_after": "soon"}})
    # Assert
    assert problems == []
    assert rules[0].params == {"stale_after": "5d"}
    assert rules[0].when.value.days == 5  # type: ignore[union-attr]
    assert bad == ["rules.overrides.stale.stale_afterr: rule stale has no param 'stale_afterr'; its params: "
                   "stale_after (besides max_actions_per_run, repeat_interval)",
                   "rules.overrides.ghost: no rule file has this id"]
    assert len(wrong_type) == 1
    assert ":5: when.value: 'soon' is not a duration" in wrong_type[0]


def test_overrides_set_the_cap_and_the_repeat_interval_validated_like_the_rule_fields(tmp_path: Path) -> None:
    # Arrange
    write_rule(tmp_path, "stale", """description: d
entity: tickets
params: {stale_after: 3d}
when: {field: updated, op: older_than, value: {param: stale_after}}
actions: [{type: raise_finding, summary: "stale"}]
""")
    # Act
    rules, problems = load_rules([tmp_path], builtin=False, overrides={
        "stale": {"max_actions_per_run": 500, "repeat_interval": "12h", "stale_after": "5d"}})
    _none, bad = load_rules([tmp_path], builtin=False, overrides={
        "stale": {"max_actions_per_run": 0, "repeat_interval": "soon"}})
    # Assert
    assert problems == []
    assert (rules[0].spec.max_actions_per_run, rules[0].spec.repeat_interval) == (500, timedelta(hours=12))
    assert rules[0].params == {"stale_after": "5d"}
    assert bad == ["rules.overrides.stale.max_actions_per_run: Input should be greater than 0",
                   "rules.overrides.stale.repeat_interval: 'soon' is not a duration; use e.g. '90s', '30m', "
                   "'24h', '14d' or '1h30m'"]


def test_missing_directory_and_raise(tmp_path: Path) -> None:
    # Act
    with pytest.raises(ConfigError) as caught:
        load_rules_or_raise([tmp_path / "nope"], builtin=False)
    # Assert
    assert caught.value.problems == [f"{tmp_path / 'nope'}: rules directory does not exist"]


def test_builtin_pack_loads_cleanly_and_test_files_are_skipped(tmp_path: Path) -> None:
    # Arrange
    (tmp_path / "x.test.yaml").write_text("not: a rule\n", encoding="utf-8")
    # Act
    rules, problems = load_rules([tmp_path])
    # Assert
    assert problems == []
    assert {"closed-without-time-entry", "stale-waiting-customer", "link-ticket-device"} <= {r.id for r in rules}
