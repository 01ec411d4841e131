"""Stack identity: the estate-unique stack key, built in one place and parsed in one place.

A CloudFormation stack name is unique only inside one account and region; an estate may hold
the same name in many accounts, regions and environments. Every frame's ``stack`` column (and
``source_stack``, ``target_stack``, ``parent_stack``...) therefore holds the **stack key**:

* the plain stack name when no other stack of the estate has that name (single-account work
  reads as it always did: ``net``);
* otherwise ``NAME@WHERE:REGION``, where WHERE is the stack's environment (estate file) or,
  without one, its account id: ``net@prod:eu-west-1``, ``net@111111111111:us-east-1``. Without
  a region: ``NAME@WHERE``. Should two stacks still share a key, the later ones get ``~2``,
  ``~3``... appended.

The key never holds ``/``: a target is written ``KEY/LogicalId`` (``net@prod:eu-west-1/Vpc``).
:func:`stack_key` builds keys, :func:`resolve_stack` and :func:`split_target` read what a user
typed: the exact key, or a plain name when it is unique, or ``NAME@QUALIFIERS`` where the
qualifiers (separated by ``:``) may be any of the stack's environment, account and region in
any order (``net@111111111111:eu-west-1``, ``net@eu-west-1`` when that is enough).

>>> stack_keys([("net", "111", "eu-west-1", "prod"), ("net", "111", "us-east-1", "prod"),
...             ("app", "111", "eu-west-1", "prod")])
['net@prod:eu-west-1', 'net@prod:us-east-1', 'app']
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

import numpy as np
import pandas as pd

from ..errors import IacvizError

SEPARATOR = "@"
Identity = tuple  # (stack_name, account, region, environment); missing parts are None


def _present(value) -> str | None:
    return (
        None
        if value is None or value is pd.NA or (isinstance(value, float) and value != value) or value == ""
        else str(value)
    )


def stack_key(
    stack_name: str,
    account: str | None = None,
    region: str | None = None,
    environment: str | None = None,
    *,
    qualified: bool = True,
) -> str:
    """The stack key of one stack: the plain name, or the qualified form when `qualified`.

    >>> stack_key("net", "111111111111", "eu-west-1")
    'net@111111111111:eu-west-1'
    >>> stack_key("net", "111111111111", "eu-west-1", "prod"), stack_key("net", qualified=False)
    ('net@prod:eu-west-1', 'net')
    """
    if not qualified:
        return stack_name
    where = _present(environment) or _present(account)
    region = _present(region)
    parts = [p for p in (where, region) if p]
    return f"{stack_name}{SEPARATOR}{':'.join(parts)}" if parts else stack_name


def stack_keys(identities: Iterable[Identity]) -> list[str]:
    """Keys for a whole estate: plain where the name is unique, qualified where it is not.

    >>> stack_keys([("a", None, None, None), ("a", None, None, None)])
    ['a', 'a~2']
    """
    identities = [tuple(i) for i in identities]
    names = Counter(i[0] for i in identities)
    keys: list[str] = []
    seen: Counter[str] = Counter()
    for name, account, region, environment in identities:
        key = stack_key(name, account, region, environment, qualified=names[name] > 1)
        seen[key] += 1
        keys.append(key if seen[key] == 1 else f"{key}~{seen[key]}")
    return keys


def resolve_stack(stacks: pd.DataFrame, text: str) -> str:
    """The key of the one stack `text` names, or IacvizError naming the candidates.

    `stacks` is an estate's ``stacks`` frame. `text` is a key, a unique plain name, or
    ``NAME@Q1:Q2`` with qualifiers among environment, account and region.

    >>> from iacviz.schema import frame
    >>> s = frame("stacks", [{"stack": "net@111:eu-west-1", "stack_name": "net", "account": "111",
    ...                       "region": "eu-west-1"},
    ...                      {"stack": "net@222:eu-west-1", "stack_name": "net", "account": "222",
    ...                       "region": "eu-west-1"}])
    >>> resolve_stack(s, "net@222"), resolve_stack(s, "net@eu-west-1:111")
    ('net@222:eu-west-1', 'net@111:eu-west-1')
    """
    # Vectorised first, exact check on the few candidates after: a pandas scalar lookup per
    # stack made every call (each blast-radius query, each CLI target) O(stacks) in slow steps.
    keys = stacks["stack"]
    if _matches(keys, text).any():
        return text
    name, _, qual = text.partition(SEPARATOR)
    wanted = [q for q in qual.split(":") if q]
    names = stacks["stack_name"] if "stack_name" in stacks else keys
    found = []
    for i in np.flatnonzero(_matches(names, name) | _matches(keys, name)):
        key = keys.iat[i]
        if (names.iat[i] if _present(names.iat[i]) else key) != name:
            continue
        facts = {_present(stacks[c].iat[i]) for c in ("environment", "account", "region") if c in stacks}
        if all(q in facts for q in wanted):
            found.append(key)
    return _the_one(text, found)


def _the_one(text: str, found: list[str]) -> str:
    """The one stack key `text` names, or IacvizError: ambiguous (with the candidates) or unknown."""
    if len(found) == 1:
        return found[0]
    if found:
        raise IacvizError(
            f"stack {text!r} is ambiguous: it may be {', '.join(found[:8])}"
            f"{' ...' if len(found) > 8 else ''}; write the stack key"
        )
    raise IacvizError(f"no stack {text!r} in the estate")


def _matches(column: pd.Series, text: str) -> np.ndarray:
    return (column == text).fillna(False).to_numpy(dtype=bool)


def split_target(stacks: pd.DataFrame, target: str) -> tuple[str, str]:
    """``(stack key, rest)`` of a ``STACK/LogicalId`` target, the stack part resolved.

    >>> from iacviz.schema import frame
    >>> split_target(frame("stacks", [{"stack": "net", "stack_name": "net"}]), "net/Vpc")
    ('net', 'Vpc')
    """
    stack, slash, rest = target.partition("/")
    if not slash:
        raise IacvizError(f"target {target!r}: write STACK/LogicalId")
    return resolve_stack(stacks, stack), rest


def canonical_target(stacks: pd.DataFrame, target: str) -> str:
    """`target` with its stack part replaced by the stack key, when the stack part names one
    stack; otherwise `target` unchanged (it may be an export name or a bare stack key).

    >>> from iacviz.schema import frame
    >>> s = frame("stacks", [{"stack": "net@111:eu-west-1", "stack_name": "net", "account": "111",
    ...                       "region": "eu-west-1"}, {"stack": "net@222:eu-west-1", "stack_name": "net",
    ...                       "account": "222", "region": "eu-west-1"}])
    >>> canonical_target(s, "net@222/Vpc"), canonical_target(s, "some-export")
    ('net@222:eu-west-1/Vpc', 'some-export')
    """
    stack, slash, rest = target.partition("/")
    try:
        key = resolve_stack(stacks, stack)
    except IacvizError:
        if SEPARATOR in stack or _name_count(stacks, stack) > 1:
            raise
        return target
    return f"{key}/{rest}" if slash else key


class StackIndex:
    """:func:`resolve_stack` and :func:`canonical_target` over one ``stacks`` frame, read once:
    for many lookups on the same estate (every blast-radius query), each then costs a dict
    lookup instead of a scan of the frame. Same answers, same errors.

    >>> from iacviz.schema import frame
    >>> s = frame("stacks", [{"stack": "net@111:eu-west-1", "stack_name": "net", "account": "111",
    ...                       "region": "eu-west-1"}, {"stack": "net@222:eu-west-1", "stack_name": "net",
    ...                       "account": "222", "region": "eu-west-1"}])
    >>> StackIndex(s).canonical_target("net@222/Vpc"), StackIndex(s).resolve("net@eu-west-1:111")
    ('net@222:eu-west-1/Vpc', 'net@111:eu-west-1')
    """

    def __init__(self, stacks: pd.DataFrame) -> None:
        keys = stacks["stack"].astype(object).tolist()
        names = (stacks["stack_name"] if "stack_name" in stacks else stacks["stack"]).astype(object).tolist()
        facts = [stacks[c].astype(object).tolist() for c in ("environment", "account", "region") if c in stacks]
        self.keys = {k for k in keys if isinstance(k, str)}
        self.by_name: dict[str, list[tuple[str, set]]] = {}
        for i, key in enumerate(keys):
            name = names[i] if _present(names[i]) else key
            if isinstance(name, str):
                self.by_name.setdefault(name, []).append((key, {_present(column[i]) for column in facts}))
        self.name_counts = (
            Counter(n for n in stacks["stack_name"].astype(object).tolist() if isinstance(n, str))
            if "stack_name" in stacks
            else Counter()
        )

    def resolve(self, text: str) -> str:
        """As :func:`resolve_stack`."""
        if text in self.keys:
            return text
        name, _, qual = text.partition(SEPARATOR)
        wanted = [q for q in qual.split(":") if q]
        found = [key for key, facts in self.by_name.get(name, ()) if all(q in facts for q in wanted)]
        return _the_one(text, found)

    def canonical_target(self, target: str) -> str:
        """As :func:`canonical_target`."""
        stack, slash, rest = target.partition("/")
        try:
            key = self.resolve(stack)
        except IacvizError:
            if SEPARATOR in stack or self.name_counts[stack] > 1:
                raise
            return target
        return f"{key}/{rest}" if slash else key


def _name_count(stacks: pd.DataFrame, name: str) -> int:
    if "stack_name" not in stacks:
        return 0
    return int((stacks["stack_name"].astype(object) == name).sum())


def scope_of(account, region) -> str:
    """The account-region an export lives in, as one string (``"111111111111/eu-west-1"``).

    >>> scope_of("111", "eu-west-1"), scope_of(None, None)
    ('111/eu-west-1', '/')
    """
    return f"{_present(account) or ''}/{_present(region) or ''}"
