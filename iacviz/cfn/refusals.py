"""The updates CloudFormation refuses, in the words it uses.

- An export other stacks import cannot change or vanish: "Export X cannot be updated as it is
  in use by Y" / "Export X cannot be deleted as it is in use by Y" (user guide, "Exporting stack
  output values": "you can't modify or remove an output value that is referenced by another stack").
- A resource whose physical name the template sets cannot be replaced, since the new one is
  created before the old one is deleted: "CloudFormation cannot update a stack when a custom-named
  resource requires replacing. Rename X and update the stack again." (template reference, "Name type").
- A logical id cannot change its type: "Update of resource type is not permitted".

>>> export_in_use("net-VpcId", ["app"], "deleted")
'Export net-VpcId cannot be deleted as it is in use by app'
"""

from __future__ import annotations

from typing import Iterable

__all__ = ["export_in_use", "refusal_status", "custom_name_replacement", "TYPE_CHANGE", "REFUSAL_STATUSES"]

TYPE_CHANGE = "Update of resource type is not permitted"
CONDITIONAL_USER = "(if its condition holds)"
# How sure a refusal is: "certain", or "conditional" when it holds only if a condition of unknown
# value holds (every stack keeping an export in use imports it under such a condition).
REFUSAL_STATUSES = ("certain", "conditional")
_LISTED = 10  # thousands of importers would make every row below a refusal carry a huge message


def _names(stacks: Iterable[str]) -> str:
    names = sorted(dict.fromkeys(stacks), key=lambda s: (s.lower(), s))
    more = f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
    return ", ".join(names[:_LISTED]) + more


def export_in_use(
    export: str, users: Iterable[str], verb: str, *, maybe: Iterable[str] = (), conditional: Iterable[str] = ()
) -> str | None:
    """CloudFormation's refusal to update or delete an export that other stacks import.

    Parameters
    ----------
    export : str
        The export name.
    users : iterable of str
        The stacks that import it (listed sorted, at most ten).
    verb : {"updated", "deleted"}
        What the change does to the export.
    maybe : iterable of str, optional
        Stacks whose import may mean this export (ambiguous imports); named only when no
        stack certainly imports it.
    conditional : iterable of str, optional
        Stacks that import it only under a condition of unknown value (``imports.active`` NA):
        named "(if its condition holds)". The refusal then happens only if a condition holds:
        :func:`refusal_status` says so.

    Returns
    -------
    str or None
        The refusal, or None when nobody imports the export.

    Examples
    --------
    >>> export_in_use("net-VpcId", ["web", "App", "db"], "updated")
    'Export net-VpcId cannot be updated as it is in use by App, db, web'
    >>> export_in_use("a-VpcId", [], "updated", maybe=["app"])
    'Export a-VpcId cannot be updated as it may be in use by app (ambiguous imports)'
    >>> export_in_use("net-VpcId", ["web"], "deleted", conditional=["app"])
    'Export net-VpcId cannot be deleted as it is in use by app (if its condition holds), web'
    """
    if verb not in ("updated", "deleted"):
        raise ValueError(f"verb must be 'updated' or 'deleted', not {verb!r}")
    users, maybe = list(users), list(maybe)
    sure = set(users)
    users += [f"{s} {CONDITIONAL_USER}" for s in conditional if s not in sure]
    if users:
        who = f"is in use by {_names(users)}"
    elif maybe:
        who = f"may be in use by {_names(maybe)} (ambiguous imports)"
    else:
        return None
    return f"Export {export} cannot be {verb} as it {who}"


def refusal_status(users: Iterable[str], conditional: Iterable[str] = ()) -> str | None:
    """How sure the refusal of :func:`export_in_use` with the same stacks is.

    ``"certain"`` when a stack imports the export with no condition of unknown value around the
    import, ``"conditional"`` when only stacks of `conditional` do (CloudFormation refuses only
    if one of their conditions holds), None when nobody imports it.

    >>> refusal_status(["web"], ["app"]), refusal_status([], ["app"]), refusal_status([], [])
    ('certain', 'conditional', None)
    """
    if any(True for _ in users):
        return "certain"
    return "conditional" if any(True for _ in conditional) else None


def custom_name_replacement(logical_id: str, name_property: str, name: object = None) -> str:
    """CloudFormation's refusal to replace a resource whose name the template sets.

    The message names the physical name when it is known offline (a plain string), else the
    logical id and its name property.

    >>> custom_name_replacement("AppSg", "GroupName", "app-sg")
    'CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename app-sg and update the stack again.'
    >>> custom_name_replacement("Logs", "BucketName", {"Fn::Sub": "${AWS::StackName}-logs"})[-52:]
    'Rename Logs (BucketName) and update the stack again.'
    """
    shown = name if isinstance(name, str) and "${" not in name else f"{logical_id} ({name_property})"
    return (
        f"CloudFormation cannot update a stack when a custom-named resource requires replacing. "
        f"Rename {shown} and update the stack again."
    )
