"""CloudFormation JSON -> body and lines, refusing what CloudFormation refuses.

CloudFormation "follows the ECMA-404 JSON standard" (template-formats.html), so ``NaN`` and
``Infinity``, which Python's json accepts, are syntax errors here. JSON has no short-form tags,
so the body is already in its long form.

Duplicate keys: json keeps the last one silently, but CloudFormation rejects the template.
Lines: the line of each section key. :func:`_scan_tokens` is the definition of both: a token
walk that gives the exact lines and names the first repeated key.

With the C token walk built (``_cfn_json_fast``, :data:`_FAST`), ``json.loads`` runs plain and
the C walk gives ``_scan_tokens``' lines and says whether a key repeats, in one pass (the
corpus's JSON: 18.4 -> 11.7 ms). Without it, the C scanner hands every object's pairs to a tiny
hook that compares ``len(dict(pairs))`` with ``len(pairs)`` (about 1.6x a plain ``json.loads``),
and :func:`_section_lines` scans the (pretty-printed) text with a few C-speed searches, keeping
its answer only if it names exactly the parsed keys in order; otherwise (minified JSON, odd
indentation) the token walk gives the exact lines. Only when a duplicate is found does
:func:`_scan_tokens` walk the tokens to name its line.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from itertools import accumulate
from typing import Any, Iterable

from iacviz.errors import TemplateError
from iacviz.limits import MAX_DEPTH
from iacviz.native import fast_module
from iacviz.sources.template_text import SECTIONS, not_a_mapping

# The C module's INTERFACE this code is written for: a build from other source is not used.
_FAST_INTERFACE = 1


# The C token walk's module, or None: not built here, built from other source, or IACVIZ_PURE_JSON=1.
_FAST: Any = fast_module("iacviz.sources._cfn_json_fast", _FAST_INTERFACE, "IACVIZ_PURE_JSON")


class _Duplicate(Exception):
    pass


def _unique_keys(pairs: list) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Duplicate
    return obj


def _no_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def load_json(text: str, source: str) -> tuple[dict, dict[str, int]]:
    """``(body, lines)`` of a JSON template.

    >>> load_json('{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}', "q.json")
    ({'Resources': {'Q': {'Type': 'AWS::SQS::Queue'}}}, {'Resources/Q': 1})
    """
    fast = _read_fast(text) if _FAST is not None else None
    if fast is None:
        body, lines = _read(text, source), None
    else:
        body, lines, repeated = fast
        if repeated:
            raise _duplicate(text, source)
    if not isinstance(body, dict):
        raise not_a_mapping(source, {list: "list", type(None): None}.get(type(body), "scalar"), 1)
    if lines is None:
        lines = _section_lines(text, body)
    return body, lines if lines is not None else _scan_tokens(text, source)


def _read_fast(text: str) -> tuple[Any, dict[str, int], bool] | None:
    """``(body, lines, repeated)`` by json.loads without the per-object hook and the C token
    walk (_cfn_json_fast: _scan_tokens' lines, and whether any key repeats); None for text
    json.loads refuses or a key holding an escape, which :func:`_read` then reports as
    it always did."""
    try:
        body = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None
    found = _FAST.scan(text, SECTIONS)
    return None if found is None else (body, *found)


def _read(text: str, source: str) -> Any:
    """The body by json.loads with the hook that refuses a repeated key, or TemplateError."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except _Duplicate:
        raise _duplicate(text, source) from None
    except json.JSONDecodeError as exc:
        raise TemplateError(source, exc.lineno, f"JSON syntax error: {exc.msg}") from None
    except ValueError as exc:  # NaN / Infinity from _no_constant
        where = re.search(r"[:\[,]\s*-?(?:NaN|Infinity)\b", text)
        line = text.count("\n", 0, where.start()) + 1 if where else 0
        raise TemplateError(source, line, f"JSON syntax error: {exc}") from None
    except RecursionError:
        raise TemplateError(source, 0, f"template nested deeper than {MAX_DEPTH} levels") from None


def _duplicate(text: str, source: str) -> TemplateError:
    """The refusal of a template repeating a key: :func:`_scan_tokens` raises it with the first
    repeat's line; this is what is left if it does not."""
    _scan_tokens(text, source)
    return TemplateError(source, 0, "duplicate key (CloudFormation rejects duplicate keys)")


# strings (keys when a colon follows) and brackets; everything else in JSON is skipped over
_TOKENS = re.compile(r'"((?:[^"\\]|\\.)*)"[ \t\r\n]*(:)?|([{\[])|[}\]]')


def _scan_tokens(text: str, source: str) -> dict[str, int]:
    """Exact section-key lines of valid JSON, raising on the first duplicate key.

    A Python loop per token: several times slower than parsing, so only a fallback.

    >>> _scan_tokens('{"Outputs": {\\n "A": {}, "B": {"A": 1}}}', "o.json")
    {'Outputs/A': 2, 'Outputs/B': 2}
    """
    lines: dict[str, int] = {}
    keys: list[set | None] = []  # per open container: its keys so far (None for an array)
    owner: list[str | None] = []  # per open container: the key it is the value of
    pending: str | None = None
    line, pos = 1, 0
    for m in _TOKENS.finditer(text):
        raw, colon, opening = m.group(1), m.group(2), m.group(3)
        if opening:
            keys.append(set() if opening == "{" else None)
            owner.append(pending)
            pending = None
        elif raw is None:  # a closing bracket
            keys.pop()
            owner.pop()
            pending = None
        elif colon:
            key = json.loads(f'"{raw}"') if "\\" in raw else raw
            line += text.count("\n", pos, m.start())
            pos = m.start()
            if key in keys[-1]:
                raise TemplateError(source, line, f"duplicate key {key!r} (CloudFormation rejects duplicate keys)")
            keys[-1].add(key)
            pending = key
            if len(keys) == 2 and owner[1] in SECTIONS:
                lines[f"{owner[1]}/{key}"] = line
    return lines


# --- lines by a text scan -------------------------------------------------------------------
# Pretty-printed JSON puts each key of a section on its own line, one indentation step below
# the section's header line. Speed notes: str.find of a distinctive word ("Resources") is far
# faster than a search for "\n" plus spaces, and a regex that starts with literal text lets the
# engine jump between candidates, so the indentation is spelled out in each pattern.

_TOP = re.compile(r"[ \t\r\n]*+\{[ \t]*\r?\n( *+)\"")  # indentation of the top-level keys
_FIRST_CHILD = re.compile(r"\n( ++)[^ \t\r\n]")
_HEADER_REST = re.compile(r"[ \t]*:[ \t]*\{[ \t]*\r?\n")  # after `"Resources"`


@lru_cache(maxsize=32)
def _key_line(indent: int) -> re.Pattern:
    # keys with escapes do not match: the comparison with the parsed keys then fails
    return re.compile(re.escape("\n" + " " * indent) + r"\"([^\"\\\n]*)\"[ \t]*:")


@lru_cache(maxsize=32)
def _section_end(top: int) -> re.Pattern:
    return re.compile(re.escape("\n" + " " * top + "}"))  # the closing brace under the header


@lru_cache(maxsize=32)
def _header_line(top: int) -> re.Pattern:
    # a line at indentation `top` opening a mapping under a key: `  "Resources": {`
    return re.compile(re.escape("\n" + " " * top) + r"\"([^\"\\\n]*)\"" + _HEADER_REST.pattern)


def _header_ends(text: str, names: Iterable[str], top: int) -> dict[str, int] | None:
    """Where the only header line of each section in `names` at indentation ``top`` ends
    (its newline), or None when a section has none or two (the scan cannot tell which).

    One scan for every section: the lines at that indentation are the top-level keys, few
    of them, where a search per section name stops at each of its many mentions in values.

    >>> _header_ends('\\n{\\n  "Outputs": {\\n  }\\n}', ["Outputs"], 2)
    {'Outputs': 17}
    """
    wanted = set(names)
    ends: dict[str, int] = {}
    for m in _header_line(top).finditer(text):
        name = m[1]
        if name in wanted:
            if name in ends:
                return None
            ends[name] = m.end() - 1
    return ends if len(ends) == len(wanted) else None


def _section_lines(text: str, body: dict) -> dict[str, int] | None:
    """Lines of the section keys found by scanning the text, or None when unsure.

    >>> _section_lines('{\\n  "Resources": {\\n    "A": {},\\n    "B": {}\\n  }\\n}',
    ...                {"Resources": {"A": {}, "B": {}}})
    {'Resources/A': 3, 'Resources/B': 4}
    """
    wanted = [(name, body[name]) for name in SECTIONS if type(body.get(name)) is dict and body[name]]
    if not wanted:
        return {}
    first_key = _TOP.match(text)  # a key is never on the first line: each starts after a "\n"
    if first_key is None:
        return None  # e.g. minified
    top = len(first_key[1])
    ends = _header_ends(text, (name for name, _ in wanted), top)
    if ends is None:
        return None
    heads = [(ends[name], name, section) for name, section in wanted]
    lines: dict[str, int] = {}
    line, pos = 1, 0
    for start, name, section in sorted(heads):  # in text order, so lines are counted only once
        first = _FIRST_CHILD.search(text, start)
        end = _section_end(top).search(text, start)
        if first is None or len(first[1]) <= top or end is None:
            return None
        found = list(_key_line(len(first[1])).finditer(text, start, end.start()))
        if [m[1] for m in found] != list(section):
            return None
        # a key's line number is one more than the count of "\n"s before its line's first character
        starts = [m.start() + 1 for m in found]
        numbers = list(accumulate((text.count("\n", a, b) for a, b in zip([pos, *starts], starts)), initial=line))
        lines.update(zip([f"{name}/{key}" for key in section], numbers[1:]))
        line, pos = numbers[-1], starts[-1]
    return lines
