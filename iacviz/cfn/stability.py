"""Which values of a resource survive an update in place: its identity attributes.

An update in place keeps the physical resource, so ``Ref`` (the physical id) keeps its value.
``Fn::GetAtt`` attributes that identify the resource (an ARN, an id, a name, and whatever the
type's provider schema lists as its ``primaryIdentifier``, e.g. an SQS queue's ``QueueUrl``)
change only with a replacement. Other attributes (an SSM parameter's ``Value``, a nested
stack's ``Outputs.X``, a generated endpoint) may follow the update.

>>> stable_attribute("AWS::SQS::Queue", "QueueUrl"), stable_attribute("AWS::CloudFormation::Stack", "Outputs.VpcId")
(True, False)
"""

from __future__ import annotations

from .update_behavior import type_rules

__all__ = ["stable_attribute"]

_IDENTITY_SUFFIXES = ("Arn", "Id", "Name", "ARN", "ID")


def stable_attribute(resource_type: str, attribute: str) -> bool:
    """Whether a ``Fn::GetAtt`` attribute keeps its value while its resource is updated in place.

    Identifiers do: an ARN, an id or a name (and anything in the type's primary identifier)
    only change with the physical resource, e.g. a Lambda function's ``Arn`` when its code
    changes. A nested stack's ``Outputs.X`` is whatever the child stack's output evaluates to
    after its update, whatever the output is called, so it is never stable.

    Parameters
    ----------
    resource_type : str
        The type of the resource the attribute belongs to.
    attribute : str
        The attribute as written in ``Fn::GetAtt`` (``Arn``, ``Endpoint.Address``, ``Outputs.X``).

    Returns
    -------
    bool

    Examples
    --------
    >>> stable_attribute("AWS::Lambda::Function", "Arn"), stable_attribute("AWS::SSM::Parameter", "Value")
    (True, False)
    """
    if resource_type == "AWS::CloudFormation::Stack" or attribute.startswith("Outputs."):
        return False
    if attribute.endswith(_IDENTITY_SUFFIXES):
        return True
    ident = {p.rsplit("/", 1)[-1] for p in type_rules(resource_type).primary_identifier}
    return attribute in ident
