"""Helpers for the workshop notebooks: open any source, check exercise answers, guard key numbers.

Every notebook starts with a parameter cell, ``SOURCE = "../data/sample-estate"``, and opens
it with :func:`open_source`, which accepts:

* a folder of templates (``iacviz.load``) or one template file;
* a snapshot folder, recognised by its ``iacviz-snapshot.json`` (``iacviz.read_snapshot``);
* ``"live:PROFILE/REGION"`` (either part may be empty: ``"live:/eu-west-1"``,
  ``"live:prod-readonly/"``), read-only through ``iacviz.load_live``;
* an endpoint URL (``http://127.0.0.1:PORT``), e.g. the local demo account of
  ``iacviz.sources.demo_account.start_demo_account``, read with its fake credentials.

Exercises end with ``answer = None`` and ``workshop.check("name", answer, estate)``: with no
answer it prints the question and a hint (and never fails), otherwise it says whether the
answer is right. The notebooks' solution cells ``assert`` it, so CI checks each exercise.

:func:`expect` guards the numbers a notebook teaches: on the bundled sample estate (or the
demo account built from it) it asserts them, so nbval fails when they change; on any other
source it only prints them.

>>> import iacviz
>>> e = iacviz.load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, stack="data")
>>> check("data-resources", None, e)
Question data-resources: How many resources does the data stack hold?
Hint: count the rows of estate.resources whose stack is "data".
>>> check("data-resources", 1, e)
Right: the data stack holds 1 resource(s).
True
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from .data import sample_estate
from .errors import IacvizError

__all__ = ["open_source", "check", "expect", "is_sample", "QUESTIONS", "solution"]

DEMO = "demo"
SNAPSHOT_MANIFEST = "iacviz-snapshot.json"
_LOCAL = ("http://127.0.0.1", "http://localhost", "https://127.0.0.1", "https://localhost")


def open_source(source: Any, *, region: str | None = None) -> Any:
    """The estate behind a notebook's ``SOURCE`` (see the module docstring for the forms).

    Parameters
    ----------
    source : str, os.PathLike or Estate
        Folder, file, snapshot folder, ``live:PROFILE/REGION`` or endpoint URL; an estate is
        returned as it is.
    region : str, optional
        Region for an endpoint URL (default: ``us-east-1``, the demo account's).

    Returns
    -------
    Estate

    Raises
    ------
    IacvizError
        When the path does not exist.

    Examples
    --------
    >>> estate = open_source("data/sample-estate")  # doctest: +SKIP
    >>> estate = open_source("live:prod-readonly/eu-west-1")  # doctest: +SKIP
    """
    if not isinstance(source, (str, os.PathLike)):
        return source
    text = os.fspath(source)
    if text.startswith("live:"):
        from .model.live import load_live

        profile, _, reg = text[5:].partition("/")
        return load_live(profile=profile or None, regions=[reg] if reg else None, progress=False)
    if text.startswith(("http://", "https://")):
        return _open_endpoint(text, region or "us-east-1")
    path = Path(text)
    if not path.exists():
        raise IacvizError(f"SOURCE {text!r}: no such file or folder (relative to {Path.cwd()})")
    if (path / SNAPSHOT_MANIFEST).exists():
        from .model.snapshot import read_snapshot

        return read_snapshot(path)
    from .model.load import load

    return load(path)


def _open_endpoint(url: str, region: str) -> Any:
    import boto3

    from .model.live import load_live

    session = None
    if url.startswith(_LOCAL):  # a local moto account: its fake credentials, never real ones
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                aws_session_token="testing", region_name=region)
    return load_live(session=session, endpoint_url=url, regions=[region], progress=False)


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


def _norm(value: Any) -> Any:
    """Lenient form for answers: order and case do not matter, a one-item list is its item."""
    if isinstance(value, pd.Series):
        value = value.tolist()
    if isinstance(value, (list, tuple, set, frozenset)):
        items = frozenset(_norm(v) for v in value)
        return next(iter(items)) if len(items) == 1 else items
    if isinstance(value, str):
        return value.strip().lower()
    return _scalar(value)


def _same(a: Any, b: Any) -> bool:
    return _norm(a) == _norm(b)


@dataclass(frozen=True)
class Question:
    text: str
    hint: str
    solve: Callable[[Any], Any]
    explain: Callable[[Any], str]


def _stack_count(estate: Any, stack: str) -> int:
    return int((estate.resources["stack"] == stack).sum())


def _most_persistent(estate: Any) -> str:
    res = estate.resources
    counts = res[res.modality == "persistent"].groupby("stack").size()
    return str(counts.sort_values(ascending=False, kind="stable").index[0]) if len(counts) else ""


def _importing_stacks(estate: Any, export: str) -> int:
    imp = estate.imports
    return int(imp[(imp.export_name == export) & imp.link.isin(["exact", "inferred"])]["stack"].nunique())


def _reached_stacks(estate: Any, target: str, change: str) -> int:
    from .analysis.blast_radius import blast_radius

    br = blast_radius(estate, target, change)
    own = target.split("/", 1)[0]
    return int(br["stack"][br["stack"] != own].nunique())


def _data_loss(estate: Any) -> set[str]:
    from .analysis.changes import plan_changes

    after = open_source(Path(sample_estate()).parent / "scenarios" / "release-2")
    plan = plan_changes(estate, after)
    lost = plan[plan.data_loss.fillna(False).astype(bool)]
    return {f"{s}/{lid}" for s, lid in zip(lost["stack"], lost.logical_id)}


def _clickops(estate: Any) -> int:
    unmanaged = getattr(estate, "unmanaged", None)
    if unmanaged is None or unmanaged.empty:
        return 0
    return int(sum(isinstance(t, dict) and t.get("owner") == "clickops" for t in unmanaged.tags))


def _warnings_of(estate: Any, rule: str) -> int:
    from .rules import review

    f = review(estate)
    return int((f.rule_id == rule).sum())


QUESTIONS: dict[str, Question] = {
    "data-resources": Question(
        "How many resources does the data stack hold?",
        'count the rows of estate.resources whose stack is "data".',
        lambda e: _stack_count(e, "data"),
        lambda v: f"the data stack holds {v} resource(s)."),
    "most-persistent": Question(
        "Which stack holds the most persistent resources?",
        'filter estate.resources on modality == "persistent", then count per stack.',
        _most_persistent,
        lambda v: f"{v} holds the most persistent resources."),
    "private-subnet-importers": Question(
        "How many stacks import shop-network-PrivateSubnetIds?",
        "look the export up in estate.exports (n_importers), or count distinct stacks in estate.imports.",
        lambda e: _importing_stacks(e, "shop-network-PrivateSubnetIds"),
        lambda v: f"{v} stacks import it, so the network stack cannot change that value while they do."),
    "orders-queue-deletion": Question(
        "If data/OrdersQueue were deleted, how many OTHER stacks would the change reach?",
        'iacviz.blast_radius(estate, "data/OrdersQueue", "delete"), then count the distinct stacks that are not "data".',
        lambda e: _reached_stacks(e, "data/OrdersQueue", "delete"),
        lambda v: f"{v} other stacks break: CloudFormation would refuse the deletion while they import the queue."),
    "release-2-data-loss": Question(
        'Which resource loses its data in release-2? Answer "stack/LogicalId".',
        "iacviz.plan_changes(before, after) and look at the data_loss column.",
        _data_loss,
        lambda v: f"{_show(v)}: replaced with no UpdateReplacePolicy, the old one is deleted without a snapshot."),
    "clickops-resources": Question(
        "How many resources outside any stack carry the tag owner=clickops?",
        "estate.unmanaged has a tags column of dicts.",
        _clickops,
        lambda v: f"{v} resources were clicked into the account by hand."),
    "stateful-without-policies": Question(
        "How many findings of rule W3001 (stateful resource without DeletionPolicy/UpdateReplacePolicy) are there?",
        'iacviz.review(estate) and count rule_id == "W3001".',
        lambda e: _warnings_of(e, "W3001"),
        lambda v: f"{v} stateful resources would lose data on a deletion or replacement."),
}


def solution(name: str, estate: Any) -> Any:
    """The answer to exercise `name` computed from `estate` (what :func:`check` compares against)."""
    return QUESTIONS[name].solve(estate)


def check(name: str, answer: Any, estate: Any) -> bool | None:
    """Check an exercise answer against the one computed from `estate`, and say so in words.

    Parameters
    ----------
    name : str
        The exercise (a key of :data:`QUESTIONS`).
    answer : Any
        The learner's answer: a number, a name, or a list/set of names (order and case do not
        matter). None: print the question and a hint.
    estate : Estate
        The estate the notebook works on.

    Returns
    -------
    bool or None
        True when right, False when not (a hint is printed), None when there was no answer.
    """
    if name not in QUESTIONS:
        raise IacvizError(f"no exercise {name!r}; there are: {', '.join(QUESTIONS)}")
    q = QUESTIONS[name]
    if answer is None:
        print(f"Question {name}: {q.text}\nHint: {q.hint}")
        return None
    right = q.solve(estate)
    if _same(answer, right):
        print(f"Right: {q.explain(right)}")
        return True
    print(f"Not quite: {_show(answer)} is not it. Hint: {q.hint}")
    return False
