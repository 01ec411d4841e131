"""What CloudFormation accepts as a stack name.

"A stack name can contain only alphanumeric characters (case-sensitive) and hyphens. It must
start with an alphabetic character and can't be longer than 128 characters." (API reference,
``CreateStack``, ``StackName``.) A stack iacviz names after a file or folder must obey it: the
name is what ``AWS::StackName`` resolves to, so it ends up in export names that other stacks'
placeholders have to match.

>>> as_stack_name("aws+aws-cdk-cli-vpc"), as_stack_name("VPC_With NAT.main"), as_stack_name("01-vpc")
('aws-aws-cdk-cli-vpc', 'VPC-With-NAT-main', 'stack-01-vpc')
"""

from __future__ import annotations

import re

__all__ = ["as_stack_name", "is_stack_name", "MAX_STACK_NAME"]

MAX_STACK_NAME = 128
_VALID = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_INVALID_RUN = re.compile(r"[^A-Za-z0-9-]+")


def is_stack_name(text: str) -> bool:
    """Whether CloudFormation accepts `text` as a stack name.

    >>> is_stack_name("net-prod"), is_stack_name("a+b"), is_stack_name("1net"), is_stack_name("x" * 129)
    (True, False, False, False)
    """
    return len(text) <= MAX_STACK_NAME and _VALID.fullmatch(text) is not None


def as_stack_name(text: str) -> str:
    """The stack name CloudFormation would accept closest to `text` (a file stem or path).

    Each run of characters a stack name cannot hold becomes one hyphen (none at either end); a
    name that does not start with a letter gets ``stack-`` before it. Longer than 128
    characters is left as it is: cutting would merge names that differ only at the end.

    Parameters
    ----------
    text : str
        A name derived from a path, e.g. ``"aws+templates-vpc"``.

    Returns
    -------
    str
        `text` itself when it is already a valid stack name.

    Examples
    --------
    >>> as_stack_name("net"), as_stack_name("a+b/c.d_e"), as_stack_name("+++")
    ('net', 'a-b-c-d-e', 'stack')
    """
    if _VALID.fullmatch(text):
        return text
    name = _INVALID_RUN.sub("-", text).strip("-")
    return name if name[:1].isalpha() else f"stack-{name}".rstrip("-")
