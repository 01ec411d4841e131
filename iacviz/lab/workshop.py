"""Helpers for the workshop notebooks: open any source, check exercise answers, guard key numbers.

Every notebook starts with a parameter cell, ``SOURCE = "../data/sample-estate"``, and opens
it with :func:`open_source`, which is :func:`iacviz.open_estate`, the opener the CLI and
:func:`iacviz.plan_changes` use too: a folder or file of templates, a snapshot folder,
``"live:PROFILE/REGION"`` or an endpoint URL such as the local demo account of
:func:`iacviz.lab.demo_account.start_demo_account`.

Exercises end with ``answer = None`` and ``workshop.check("name", answer, estate, **params)``:
with no answer it prints the question and a hint (and never fails), otherwise it says whether
the answer is right, in any equivalent form, with targeted feedback for the known slips.
:func:`show_solution` prints the solution only when asked. A question's parameters (the stack,
export or resource it asks about) are picked from the data by :func:`busiest_export`,
:func:`exported_resource`, :func:`widest_stateful` and :func:`stateful_stack`, so every exercise
works on any estate; the sample's names are only their defaults.

:func:`expect` guards the numbers a notebook teaches: on the bundled sample estate (or the
demo account built from it) it asserts them, so nbval fails when they change; on any other
source it only prints them.

>>> import iacviz
>>> e = iacviz.load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, stack="data")
>>> check("stack-resources", None, e, stack="data")
Question stack-resources: How many resources does the stack data hold?
Hint: count the rows of estate.resources whose stack is "data" (estate.resources["stack"], not .stack, which is a DataFrame method).
>>> check("stack-resources", 2, e, stack="data")
Not quite: 2 is not it. Hint: count the rows of estate.resources whose stack is "data" (estate.resources["stack"], not .stack, which is a DataFrame method).
False
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from ..analysis import exports as _exports  # noqa: F401 - registers estate.exports/.imports
from ..data import sample_estate
from ..errors import IacvizError
from ..model.open import open_estate

__all__ = ["open_source", "check", "expect", "is_sample", "QUESTIONS", "solution", "show_solution",
           "busiest_export", "exported_resource", "widest_stateful", "stateful_stack"]

DEMO = "demo"


def open_source(source: Any, *, region: str | None = None) -> Any:
    """The estate behind a notebook's ``SOURCE``: :func:`iacviz.open_estate` (see it for the forms).

    Examples
    --------
    >>> estate = open_source(sample_estate())
    >>> open_source(estate) is estate
    True
    """
    return open_estate(source, region=region)


def is_sample(source: Any) -> bool:
    """Whether `source` is the bundled sample estate (or ``"demo"``, the demo account built from it).

    >>> is_sample(sample_estate()), is_sample("demo"), is_sample("live:prod/eu-west-1")
    (True, True, False)
    """
    if not isinstance(source, (str, os.PathLike)):
        return False
    if os.fspath(source) == DEMO:
        return True
    try:
        return Path(source).resolve() == sample_estate().resolve()
    except (OSError, ValueError):
        return False


def expect(source: Any, what: str, actual: Any, expected: Any) -> None:
    """Assert a key number of the sample estate; on other sources just print it.

    >>> expect("demo", "stacks", 10, 10)
    ✔ stacks: 10
    >>> expect("live:prod/eu-west-1", "stacks", 42, 10)
    stacks: 42
    """
    if is_sample(source):
        assert _strict(actual) == _strict(expected), (f"{what}: expected {expected!r} on the sample estate, got {actual!r} "
                                         f"(the estate or iacviz changed: update the notebook's text too)")
        print(f"✔ {what}: {_show(actual)}")
    else:
        print(f"{what}: {_show(actual)}")


def _show(value: Any) -> str:
    if isinstance(value, (set, frozenset)):
        return ", ".join(sorted(map(str, value)))
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def _scalar(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy / pandas scalars
        try:
            return value.item()
        except (AttributeError, ValueError):
            return value
    return value


def _strict(value: Any) -> Any:
    """`value` with numpy/pandas scalars and Series made plain, containers kept as they are."""
    if isinstance(value, pd.Series):
        value = value.tolist()
    if isinstance(value, dict):
        return {_strict(k): _strict(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return {_strict(v) for v in value}
    if isinstance(value, tuple):
        return tuple(_strict(v) for v in value)
    if isinstance(value, list):
        return [_strict(v) for v in value]
    return _scalar(value)


# -- examples chosen from the data ---------------------------------------------------------------
# A notebook names the sample's resources only as defaults: on any other estate it picks its
# examples with these rules, and its text says which rule picked them.

def _resource_key(stack: Any, logical_id: Any) -> str:
    return f"{stack}/{logical_id}"


def _has_resource(estate: Any, key: str | None) -> bool:
    if not key or "/" not in key:
        return False
    stack, _, lid = key.rpartition("/")
    res = estate.resources
    return bool(((res["stack"] == stack) & (res.logical_id == lid)).any())


def busiest_export(estate: Any, prefer: str | None = None) -> str | None:
    """`prefer` if the estate exports it, else the export with the most importing stacks.

    Ties go to the first name in alphabetical order; None when the estate exports nothing.

    >>> import iacviz
    >>> busiest_export(iacviz.load(sample_estate()))
    'shop-network-PrivateSubnetIds'
    """
    ex = estate.exports
    if prefer is not None and (ex.export_name == prefer).any():
        return prefer
    if ex.empty:
        return None
    top = ex.sort_values(["n_importers", "export_name"], ascending=[False, True], kind="stable")
    return str(top.export_name.iloc[0])


def exported_resource(estate: Any, prefer: str | None = None) -> str | None:
    """`prefer` if the estate has it, else the resource behind the export with the most importers.

    Returned as ``"stack/LogicalId"``: replacing it changes a value other stacks import, which is
    the change with the widest reach across stacks. None when no export points at a resource.

    >>> import iacviz
    >>> exported_resource(iacviz.load(sample_estate()), prefer="network/AppSecurityGroup")
    'network/AppSecurityGroup'
    """
    if _has_resource(estate, prefer):
        return prefer
    ex = estate.exports
    ex = ex[ex.resources.map(lambda r: isinstance(r, (list, tuple)) and len(r) > 0)]
    if ex.empty:
        return _most_referenced(estate)
    top = ex.sort_values(["n_importers", "export_name"], ascending=[False, True], kind="stable").iloc[0]
    return _resource_key(top["stack"], sorted(top.resources)[0])


def _most_referenced(estate: Any, among: pd.DataFrame | None = None) -> str | None:
    """The resource (of `among`, default all) that the most references point at."""
    res = estate.resources if among is None else among
    if res.empty:
        return None
    refs = estate.references
    refs = refs[refs.target_kind == "resource"] if "target_kind" in refs else refs
    counts = refs.groupby(["target_stack", "target"]).size()
    keyed = res.assign(_n=[int(counts.get((s, lid), 0)) for s, lid in zip(res["stack"], res.logical_id)])
    top = keyed.sort_values(["_n", "stack", "logical_id"], ascending=[False, True, True], kind="stable").iloc[0]
    return _resource_key(top["stack"], top.logical_id)


def widest_stateful(estate: Any, prefer: str | None = None, *, candidates: int = 12) -> str | None:
    """`prefer` if the estate has it, else the stateful resource with the widest blast radius.

    "Widest" is the number of resources a replacement reaches; to stay fast on large estates
    only the `candidates` stateful resources that the most references point at are measured.
    None when nothing in the estate holds data.

    >>> import iacviz
    >>> widest_stateful(iacviz.load(sample_estate()), prefer="data/Db")
    'data/Db'
    """
    if _has_resource(estate, prefer):
        return prefer
    from ..analysis.blast_radius import blast_radius

    res = estate.resources
    stateful = res[res.stateful.fillna(False).astype(bool) & (res.type != "AWS::CloudFormation::Stack")]
    if stateful.empty:
        return None
    refs = estate.references
    counts = refs.groupby(["target_stack", "target"]).size()
    ranked = stateful.assign(_n=[int(counts.get((s, lid), 0)) for s, lid in zip(stateful["stack"], stateful.logical_id)])
    ranked = ranked.sort_values(["_n", "stack", "logical_id"], ascending=[False, True, True], kind="stable")
    best, best_n = None, -1
    for stack, lid in zip(ranked["stack"].head(candidates), ranked.logical_id.head(candidates)):
        key = _resource_key(stack, lid)
        n = len(blast_radius(estate, key, "replace"))
        if n > best_n:
            best, best_n = key, n
    return best


def stateful_stack(estate: Any, prefer: str | None = None) -> str | None:
    """`prefer` if the estate has that stack, else the stack holding the most stateful resources.

    >>> import iacviz
    >>> stateful_stack(iacviz.load(sample_estate()))
    'data'
    """
    stacks = set(estate.stacks["stack"])
    if prefer in stacks:
        return prefer
    res = estate.resources
    counts = res[res.stateful.fillna(False).astype(bool)].groupby("stack").size()
    if counts.empty:
        return sorted(stacks)[0] if stacks else None
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")
    return str(counts.index[0])


# -- answers: equivalent forms ---------------------------------------------------------------------

class Malformed(ValueError):
    """An answer that is not of the form the question asks for (the message says which form)."""


def _as_number(value: Any) -> float:
    value = _scalar(value)
    if isinstance(value, (list, tuple, set, frozenset, pd.Series)) and len(value) == 1:
        return _as_number(next(iter(value)))
    if isinstance(value, bool):
        raise Malformed("a number is expected, not True/False")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", ""))
        except ValueError:
            raise Malformed(f"a number is expected, e.g. 3, not {value!r}") from None
    raise Malformed(f"a number is expected, not {type(value).__name__}")


def _as_names(value: Any) -> frozenset[str]:
    if isinstance(value, pd.Series):
        value = value.tolist()
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",")] if "," in value or ";" in value else [value]
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise Malformed(f"a name or a list of names is expected, not {type(value).__name__}")
    names = []
    for v in value:
        if not isinstance(v, str):
            raise Malformed(f"names are text, e.g. \"data/Db\", not {v!r}")
        if v.strip():
            names.append(v.strip().lower())
    return frozenset(names)


def _same_resources(answer: frozenset[str], right: frozenset[str]) -> tuple[bool, bool]:
    """(equal, some given without their stack): "Db" matches "data/Db" when only one right one is Db."""
    bare = False
    if len(answer) != len(right):
        return False, False
    left = set(right)
    for item in answer:
        if item in left:
            left.discard(item)
            continue
        match = [r for r in left if r.rpartition("/")[2] == item]
        if "/" in item or len(match) != 1:
            return False, False
        left.discard(match[0])
        bare = True
    return not left, bare


# -- questions ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Question:
    """One exercise: its text (``str.format`` with its parameters), a hint, how to solve it and how
    to explain the answer, the form of the answer, and its known wrong answers.

    ``kind`` is ``"number"``, ``"name"``, ``"names"`` (a set of names, any order, any case) or
    ``"resources"`` (names ``stack/LogicalId``; a logical id alone is accepted when it is unambiguous).
    ``wrong(estate, **params)`` maps the natural slips to the feedback that explains them.
    ``how`` is the recipe :func:`show_solution` prints.
    """

    text: str
    hint: str
    solve: Callable[..., Any]
    explain: Callable[[Any], str]
    kind: str = "number"
    wrong: Callable[..., dict[Any, str]] = lambda estate, **params: {}
    how: str = ""


def _stack_count(estate: Any, stack: str) -> int:
    return int((estate.resources["stack"] == stack).sum())


def _persistent_counts(estate: Any) -> pd.Series:
    res = estate.resources
    return res[res.modality == "persistent"].groupby("stack").size().sort_index()


def _most_persistent(estate: Any) -> str:
    counts = _persistent_counts(estate)
    return str(counts.sort_values(ascending=False, kind="stable").index[0]) if len(counts) else ""


def _wrong_most_persistent(estate: Any) -> dict[Any, str]:
    res = estate.resources
    out: dict[Any, str] = {}
    if len(res):
        biggest = res.groupby("stack").size().sort_index().sort_values(ascending=False, kind="stable").index[0]
        out[biggest] = f"{biggest} has the most resources overall; count only the persistent ones."
    held = res[res.stateful.fillna(False).astype(bool)].groupby("stack").size().sort_index()
    if len(held):
        top = held.sort_values(ascending=False, kind="stable").index[0]
        out.setdefault(top, f"{top} holds the most stateful resources; persistent is about lifetime, not data "
                            "(a security group is persistent and holds nothing).")
    return out


def _importing_stacks(estate: Any, export: str) -> int:
    imp = estate.imports
    return int(imp[(imp.export_name == export) & imp.link.isin(["exact", "inferred"])]["stack"].nunique())


def _wrong_importers(estate: Any, export: str) -> dict[Any, str]:
    imp = estate.imports
    rows = int(((imp.export_name == export) & imp.link.isin(["exact", "inferred"])).sum())
    return {rows: f"{rows} counts importing resources (rows of estate.imports); several resources of one stack "
                  "can import the same export. Count distinct stacks."}


def _reached(estate: Any, target: str, change: str) -> pd.DataFrame:
    from ..analysis.blast_radius import blast_radius

    return blast_radius(estate, target, change)


def _reached_stacks(estate: Any, target: str, change: str = "delete") -> int:
    br = _reached(estate, target, change)
    own = target.rpartition("/")[0]
    return int(br["stack"][br["stack"] != own].nunique())


def _wrong_reached(estate: Any, target: str, change: str = "delete") -> dict[Any, str]:
    br = _reached(estate, target, change)
    own = target.rpartition("/")[0]
    return {int(br["stack"].nunique()): f"that includes {own}, the target's own stack; count the OTHER stacks.",
            int((br["stack"] != own).sum()): "that counts the resources reached in other stacks; count their stacks."}


def _data_loss(estate: Any, after: Any = None) -> frozenset[str]:
    from ..analysis.changes import plan_changes

    plan = plan_changes(estate, open_source(after) if after is not None else estate)
    lost = plan[plan.data_loss.fillna(False).astype(bool)]
    return frozenset(_resource_key(s, lid) for s, lid in zip(lost["stack"], lost.logical_id))


def _wrong_data_loss(estate: Any, after: Any = None) -> dict[Any, str]:
    from ..analysis.changes import plan_changes

    plan = plan_changes(estate, open_source(after) if after is not None else estate)
    out: dict[Any, str] = {}
    replaced = plan[(plan.kind == "resource") & (plan.replacement.astype(str) == "True")]
    lost = plan.data_loss.fillna(False).astype(bool)
    for (stack, lid), blocked in zip(replaced[["stack", "logical_id"]].values, replaced.blocked.notna()):
        key = frozenset([_resource_key(stack, lid).lower()])
        row = (plan["stack"] == stack) & (plan.logical_id == lid) & lost
        if row.any():
            continue
        why = ("CloudFormation refuses this update (an export in use), so nothing is replaced"
               if blocked else "it is replaced, but it holds no data (or a policy keeps a copy)")
        out[key] = f"{stack}/{lid}: {why}."
    return out


def _clickops(estate: Any) -> int:
    unmanaged = getattr(estate, "unmanaged", None)
    if unmanaged is None or unmanaged.empty:
        return 0
    return int(sum(isinstance(t, dict) and t.get("owner") == "clickops" for t in unmanaged.tags))


def _wrong_clickops(estate: Any) -> dict[Any, str]:
    unmanaged = getattr(estate, "unmanaged", None)
    if unmanaged is None or unmanaged.empty:
        return {}
    n = len(unmanaged)
    others = n - _clickops(estate)
    return {n: f"those {n} include {others} resources without the clickops tag (the demo's deployment-artifact "
               "buckets, which the deploy tooling creates outside any stack): count only owner=clickops."}


def _warnings_of(estate: Any, rule: str) -> int:
    from ..rules import review

    f = review(estate)
    return int((f.rule_id == rule).sum())


def _wrong_w3001(estate: Any) -> dict[Any, str]:
    res = estate.resources
    n = int(res.stateful.fillna(False).astype(bool).sum())
    return {n: f"{n} is every stateful resource; some of them already have both Retain/Snapshot policies."}


QUESTIONS: dict[str, Question] = {
    "stack-resources": Question(
        "How many resources does the stack {stack} hold?",
        'count the rows of estate.resources whose stack is "{stack}" (estate.resources["stack"], not .stack, '
        "which is a DataFrame method).",
        lambda e, stack: _stack_count(e, stack),
        lambda v: f"the stack holds {v} resource(s), SAM-expanded ones included.",
        wrong=lambda e, stack: {len(e.resources): "that is every resource of the estate; keep only one stack's rows.",
                                int((e.properties["stack"] == stack).sum()):
                                    "that counts property leaves (estate.properties); count resources."},
        how='(estate.resources["stack"] == STACK).sum()'),
    "most-persistent": Question(
        "Which stack holds the most persistent resources?",
        'filter estate.resources on modality == "persistent", then count per stack.',
        _most_persistent,
        lambda v: f"{v} holds the most persistent resources.",
        kind="name", wrong=_wrong_most_persistent,
        how='estate.resources[estate.resources.modality == "persistent"].groupby("stack").size().idxmax()'),
    "export-importers": Question(
        "How many stacks import {export}?",
        "look the export up in estate.exports (n_importers), or count distinct stacks in estate.imports.",
        lambda e, export: _importing_stacks(e, export),
        lambda v: f"{v} stack(s) import it, so its stack cannot change that value while they do.",
        wrong=lambda e, export: _wrong_importers(e, export),
        how='estate.imports[estate.imports.export_name == EXPORT]["stack"].nunique()'),
    "deletion-reach": Question(
        "If {target} were deleted, how many OTHER stacks would the change reach?",
        'iacviz.blast_radius(estate, "{target}", "delete"), then count the distinct stacks other than its own.',
        lambda e, target: _reached_stacks(e, target, "delete"),
        lambda v: f"{v} other stack(s): CloudFormation would refuse the deletion while they import what it exports.",
        wrong=lambda e, target: _wrong_reached(e, target, "delete"),
        how='blast = iacviz.blast_radius(estate, TARGET, "delete"); blast["stack"][blast["stack"] != OWN_STACK].nunique()'),
    "release-data-loss": Question(
        'Which resources lose their data in the release? Answer "stack/LogicalId" (a list if several; [] if none).',
        "iacviz.plan_changes(before, after) and look at the data_loss column.",
        lambda e, after=None: _data_loss(e, after),
        lambda v: (f"{_show(sorted(v))}: replaced with no UpdateReplacePolicy, the old one is deleted without a copy."
                   if v else "nothing loses data in this release."),
        kind="resources", wrong=lambda e, after=None: _wrong_data_loss(e, after),
        how='plan = iacviz.plan_changes(estate, after); plan[plan.data_loss.fillna(False)][["stack", "logical_id"]]'),
    "clickops-resources": Question(
        "How many resources outside any stack carry the tag owner=clickops?",
        "estate.unmanaged has a tags column of dicts.",
        _clickops,
        lambda v: f"{v} resources were clicked into the account by hand.",
        wrong=_wrong_clickops,
        how='sum(isinstance(t, dict) and t.get("owner") == "clickops" for t in estate.unmanaged.tags)'),
    "stateful-without-policies": Question(
        "How many findings of rule W3001 (stateful resource without DeletionPolicy/UpdateReplacePolicy) are there?",
        'iacviz.review(estate) and count rule_id == "W3001".',
        lambda e: _warnings_of(e, "W3001"),
        lambda v: f"{v} stateful resources would lose data on a deletion or replacement.",
        wrong=_wrong_w3001,
        how='(iacviz.review(estate).rule_id == "W3001").sum()'),
}


def _question(name: str) -> Question:
    if name not in QUESTIONS:
        raise IacvizError(f"no exercise {name!r}; there are: {', '.join(QUESTIONS)}")
    return QUESTIONS[name]


def solution(name: str, estate: Any, **params: Any) -> Any:
    """The answer to exercise `name` computed from `estate` (what :func:`check` compares against)."""
    return _question(name).solve(estate, **params)


def _judge(kind: str, answer: Any, right: Any) -> tuple[bool, str]:
    """(right?, note) for `answer` against `right`, in the question's form; raises Malformed."""
    if kind == "number":
        return _as_number(answer) == float(_as_number(right)), ""
    if kind == "name":
        given = _as_names(answer)
        if len(given) != 1:
            raise Malformed("one name is expected")
        return next(iter(given)) == str(right).strip().lower(), ""
    right_names = _as_names(right if isinstance(right, (list, tuple, set, frozenset)) else [right])
    given = _as_names(answer)
    if kind == "resources":
        same, bare = _same_resources(given, right_names)
        return same, ("(Next time name the stack too, as stack/LogicalId: logical ids repeat across stacks.)"
                      if same and bare else "")
    return given == right_names, ""


def _known(kind: str, answer: Any, wrong: dict[Any, str]) -> str | None:
    for bad, feedback in wrong.items():
        try:
            if _judge(kind, answer, bad)[0]:
                return feedback
        except Malformed:
            continue
    return None


def check(name: str, answer: Any, estate: Any, **params: Any) -> bool | None:
    """Check an exercise answer against the one computed from `estate`, and say so in words.

    Parameters
    ----------
    name : str
        The exercise (a key of :data:`QUESTIONS`).
    answer : Any
        The learner's answer in any equivalent form: a number (``15`` or ``"15"``), a name, or a
        list/set of names in any order and case; a logical id alone stands for ``stack/LogicalId``
        when it is unambiguous. None: print the question and a hint.
    estate : Estate
        The estate the notebook works on.
    **params
        The question's parameters (the stack, export or resource it asks about).

    Returns
    -------
    bool or None
        True when right, False when not (with targeted feedback for the known slips, a hint
        otherwise), None when there was no answer.

    Examples
    --------
    >>> import iacviz
    >>> e = iacviz.load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, stack="data")
    >>> check("stack-resources", "1", e, stack="data")
    Right: the stack holds 1 resource(s), SAM-expanded ones included.
    True
    """
    q = _question(name)
    text, hint = q.text.format(**params), q.hint.format(**params)
    if answer is None:
        print(f"Question {name}: {text}\nHint: {hint}")
        return None
    right = q.solve(estate, **params)
    try:
        ok, note = _judge(q.kind, answer, right)
    except Malformed as err:
        print(f"Not an answer yet: {err}. Question: {text}")
        return False
    if ok:
        print(f"Right: {q.explain(right)}" + (f" {note}" if note else ""))
        return True
    known = _known(q.kind, answer, {k: v for k, v in q.wrong(estate, **params).items() if not _judge_safe(q.kind, k, right)})
    print(f"Not quite: {known}" if known else f"Not quite: {_show(answer)} is not it. Hint: {hint}")
    return False


def _judge_safe(kind: str, answer: Any, right: Any) -> bool:
    try:
        return _judge(kind, answer, right)[0]
    except Malformed:
        return False


def show_solution(name: str, estate: Any = None, **params: Any) -> None:
    """Print how to solve exercise `name` and, given the estate, its answer (solutions stay hidden
    until the learner asks for them).

    >>> show_solution("most-persistent")
    Solution most-persistent: Which stack holds the most persistent resources?
    How: estate.resources[estate.resources.modality == "persistent"].groupby("stack").size().idxmax()
    """
    q = _question(name)
    print(f"Solution {name}: {q.text.format(**params)}\nHow: {q.how}")
    if estate is not None:
        print(f"Answer: {q.explain(q.solve(estate, **params))}")
