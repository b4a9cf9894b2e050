"""Validating YAML files against pydantic models with errors that name line and field.

Config files and policy packs are checked before they are built into Python objects (see
docs/security.md, "Configuration files"): no aliases (``*name``; a few hundred bytes of
them expand to billions of nodes), nesting at most :data:`MAX_DEPTH` deep, at most
:data:`MAX_BYTES` of valid UTF-8, integers of at most :data:`MAX_INT_DIGITS` digits. A file
that breaks one of these gets one issue naming its line, and is never constructed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class YamlIssue:
    """One problem in a YAML file."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "line ?"
        return f"{where}: {self.field}: {self.message}"


class YamlModelError(ValueError):
    """A YAML file could not be validated; ``issues`` lists every problem found."""

    def __init__(self, source: str, issues: list[YamlIssue]) -> None:
        self.source = source
        self.issues = issues
        super().__init__(f"{source}:\n" + "\n".join(f"  {issue}" for issue in issues))

    def one_line(self) -> str:
        """The issues as ``source:line: field: problem`` lines (one for a broken file)."""
        return "\n".join(
            f"{self.source}{'' if i.line is None else f':{i.line}'}: {i.field}: {i.message}"
            for i in self.issues
        )


#: Largest config or policy file read (bytes).
MAX_BYTES = 1 << 20
#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 64
#: Most digits in an integer (Python refuses to convert longer ones from text).
MAX_INT_DIGITS = 4300
_INT = re.compile(r"[-+]?(?:0[box])?[0-9_a-fA-F:]+")


def read_yaml_text(path: str | Path) -> str:
    """Return a YAML file's text: at most :data:`MAX_BYTES`, valid UTF-8.

    Raises:
        YamlModelError: Too big or not UTF-8 (the issue names the line of the bad byte).
        OSError: The file cannot be read.
    """
    p = Path(path)
    with p.open("rb") as fh:
        raw = fh.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise YamlModelError(str(p), [YamlIssue(None, "file", f"larger than {MAX_BYTES} bytes")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problem = f"not valid UTF-8 (byte {exc.start + 1}); save the file as UTF-8"
        raise YamlModelError(str(p), [YamlIssue(line, "file", problem)]) from None


def check_events(text: str, source: str) -> None:
    """Refuse aliases, deep nesting and over-long integers, streaming the parser's events.

    The parser's events come one at a time in time linear in the text, before anything
    is built from them, so a hostile file costs no more than its size.

    Raises:
        YamlModelError: The first such problem, with its line.
    """
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        problem = None
        if isinstance(event, yaml.AliasEvent):
            problem = f"alias *{event.anchor} is not allowed: write the value out"
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                problem = f"nested deeper than {MAX_DEPTH} levels"
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif (
            isinstance(event, yaml.ScalarEvent)
            and event.implicit[0]
            and len(event.value) > MAX_INT_DIGITS
            and _INT.fullmatch(event.value)
        ):
            problem = f"a number with more than {MAX_INT_DIGITS} digits"
        if problem is not None:
            raise YamlModelError(source, [YamlIssue(line, "yaml", problem)])


def load_yaml_model(text: str, model: type[M], source: str, **context: Any) -> M:
    """Parse ``text`` as YAML and validate it as ``model``.

    Raises:
        YamlModelError: Not YAML, not a mapping, hostile (see :func:`check_events`), or
            invalid; each issue names its line.
    """
    try:
        if len(text) > MAX_BYTES:
            raise YamlModelError(source, [YamlIssue(None, "file", f"over {MAX_BYTES} bytes")])
        check_events(text, source)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except YamlModelError:
        raise
    except yaml.reader.ReaderError as exc:  # a control character; it has no "mark"
        at = text.count("\n", 0, exc.position) + 1
        problem = f"character U+{exc.character:04X} is not allowed in YAML (remove it)"
        raise YamlModelError(source, [YamlIssue(at, "yaml", problem)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise YamlModelError(source, [YamlIssue(line, "yaml", str(problem))]) from None
    except (ValueError, RecursionError) as exc:  # a value the constructor cannot build
        problem = f"a value cannot be read ({type(exc).__name__})"
        raise YamlModelError(source, [YamlIssue(None, "yaml", problem)]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise YamlModelError(source, [YamlIssue(1, "(top)", "expected a YAML mapping")])
    repeated = duplicate_keys(node)
    if repeated:
        raise YamlModelError(source, repeated)
    try:
        return model.model_validate({**data, **context})
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # A list whose item is invalid is also reported as too short; the item's own error
        # says what to fix, so the echo on every enclosing list is left out.
        issues = [
            YamlIssue(
                line_of(node, err["loc"]),
                dotted(err["loc"]),
                _MESSAGES.get(err["type"], err["msg"].removeprefix("Value error, ")),
            )
            for err in errors
            if not (err["type"] == "too_short" and _encloses(err["loc"], errors))
        ]
        raise YamlModelError(source, issues) from None


# One wording for an unknown key, whether a model or a dataclass section rejected it.
_MESSAGES = {
    "extra_forbidden": "unknown field (check its spelling and indentation)",
    "unexpected_keyword_argument": "unknown field (check its spelling and indentation)",
}


def _encloses(loc: tuple[int | str, ...], errors: list[Any]) -> bool:
    """True when another error lies inside ``loc``."""
    return any(len(e["loc"]) > len(loc) and e["loc"][: len(loc)] == loc for e in errors)


def duplicate_keys(node: Any, path: tuple[int | str, ...] = ()) -> list[YamlIssue]:
    """Return an issue for each key given twice in one mapping (YAML keeps only the last).

    A pack or config with a section written twice would otherwise load with the first one
    silently ignored.
    """
    issues: list[YamlIssue] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = getattr(key, "value", None)
            if isinstance(name, str) and name != "<<":
                line = key.start_mark.line + 1
                if name in seen:
                    message = f"duplicate key, also on line {seen[name]}; keep one of them"
                    issues.append(YamlIssue(line, dotted((*path, name)), message))
                else:
                    seen[name] = line
            issues += duplicate_keys(value, (*path, name if isinstance(name, str) else "?"))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            issues += duplicate_keys(item, (*path, i))
    return issues


def dotted(loc: tuple[int | str, ...]) -> str:
    """Return a pydantic location as ``a.b[0].c``."""
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif parts:
            parts.append(f".{part}")
        else:
            parts.append(str(part))
    return "".join(parts) or "(top)"


def line_of(node: Any, loc: tuple[int | str, ...]) -> int | None:
    """Walk the YAML node tree along a pydantic error location; return a 1-based line."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(
                ((k, v) for k, v in node.value if getattr(k, "value", None) == str(part)), None
            )
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
