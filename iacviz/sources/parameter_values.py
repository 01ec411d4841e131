"""Parameter values a user gives: the one place that reads their two shapes.

Everywhere iacviz takes parameter values (``iacviz.load(parameters=...)``, ``plan_changes``,
the estate file's ``parameters:``, the command line's ``--parameters``) it accepts the same
two shapes, which may be mixed:

- ``{Key: value}``: estate-wide, for every stack that declares ``Key``;
- ``{stack: {Key: value}}``: for that stack only; it wins over an estate-wide value.

On the command line the same is written ``Key=value`` and ``stack/Key=value``. A parameter
value is never a mapping in CloudFormation, so a mapping value always means "a stack".

>>> values = ParameterValues.of({"Env": "prod", "net": {"Env": "test", "Cidr": "10.0.0.0/16"}})
>>> values.for_stack("net", ["Env", "Cidr"]), values.for_stack("app", ["Env", "Other"])
({'Env': 'test', 'Cidr': '10.0.0.0/16'}, {'Env': 'prod'})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping


class ParameterShapeError(ValueError):
    """A ``Key=value`` item or a parameters mapping that has neither accepted shape."""


@dataclass(frozen=True)
class ParameterValues:
    """Parameter values in normal form: `estate_wide` {Key: value}, `per_stack` {stack: {Key: value}}."""

    estate_wide: dict[str, Any] = field(default_factory=dict)
    per_stack: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, parameters: "ParameterValues | Mapping[str, Any] | None") -> "ParameterValues":
        """Normal form of either shape (or a mix of both); None gives no values.

        >>> ParameterValues.of({"a": {"K": 1}, "Env": "dev"})
        ParameterValues(estate_wide={'Env': 'dev'}, per_stack={'a': {'K': 1}})
        """
        if parameters is None:
            return cls()
        if isinstance(parameters, ParameterValues):
            return parameters
        if not isinstance(parameters, Mapping):
            raise ParameterShapeError(
                f"parameters: expected {{Key: value}} or {{stack: {{Key: value}}}}, not {type(parameters).__name__}"
            )
        wide: dict[str, Any] = {}
        per: dict[str, dict[str, Any]] = {}
        for key, value in parameters.items():
            if isinstance(value, Mapping):
                per.setdefault(str(key), {}).update({str(k): v for k, v in value.items()})
            else:
                wide[str(key)] = value
        return cls(wide, per)

    def __bool__(self) -> bool:
        return bool(self.estate_wide or self.per_stack)

    def for_stack(self, stack: str, declared: Iterable[str] | None = None, *aliases: str | None) -> dict[str, Any]:
        """The values stack `stack` gets: estate-wide ones for the keys it declares (all of
        them when `declared` is None), overlaid with its own. `aliases` are other names of the
        stack (its CloudFormation name beside its estate-unique key); the key's values win.

        >>> ParameterValues.of({"Env": "dev", "Unused": 1}).for_stack("s", ["Env"])
        {'Env': 'dev'}
        >>> ParameterValues.of({"net": {"Env": "a"}}).for_stack("net@prod:eu-west-1", None, "net")
        {'Env': 'a'}
        """
        keys = None if declared is None else set(declared)
        out = {k: v for k, v in self.estate_wide.items() if keys is None or k in keys}
        for name in (*aliases, stack):
            if name is not None:
                out.update(self.per_stack.get(name, {}))
        return out

    def over(self, base: "ParameterValues") -> "ParameterValues":
        """These values laid over `base` (estate-wide over estate-wide, per stack over per stack).

        >>> ParameterValues.of({"Env": "prod"}).over(ParameterValues.of({"Env": "dev", "s": {"K": 1}}))
        ParameterValues(estate_wide={'Env': 'prod'}, per_stack={'s': {'K': 1}})
        """
        per = {s: dict(v) for s, v in base.per_stack.items()}
        for stack, values in self.per_stack.items():
            per.setdefault(stack, {}).update(values)
        return ParameterValues({**base.estate_wide, **self.estate_wide}, per)

    def to_mapping(self) -> dict[str, Any]:
        """Back to the mixed mapping shape (what ``iacviz.load`` accepts).

        >>> ParameterValues.of({"Env": "dev", "s": {"K": 1}}).to_mapping()
        {'Env': 'dev', 's': {'K': 1}}
        """
        return {**self.estate_wide, **{s: dict(v) for s, v in self.per_stack.items()}}


def parse_pairs(items: Iterable[str], flag: str = "--parameters") -> ParameterValues:
    """``Key=value`` and ``stack/Key=value`` items (the command line's shape) in normal form.

    The stack is what stands before the last ``/``, so a stack key holding ``/`` works too.

    >>> parse_pairs(["Env=prod", "net/Cidr=10.0.0.0/16"])
    ParameterValues(estate_wide={'Env': 'prod'}, per_stack={'net': {'Cidr': '10.0.0.0/16'}})
    """
    wide: dict[str, Any] = {}
    per: dict[str, dict[str, Any]] = {}
    for item in items:
        key, eq, value = str(item).partition("=")
        stack, slash, name = key.rpartition("/")
        if not eq or not name or (slash and not stack):
            raise ParameterShapeError(f"{flag}: expected Key=value or stack/Key=value, not {item!r}")
        if slash:
            per.setdefault(stack, {})[name] = value
        else:
            wide[name] = value
    return ParameterValues(wide, per)
