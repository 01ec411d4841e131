"""What AWS services create on their own for a stack's resources, outside the stack.

A Lambda function writes its logs to the log group ``/aws/lambda/<function name>``, which
Lambda creates on the first invocation unless the template declares it (or the function's
``LoggingConfig.LogGroup`` names another one). CodeBuild does the same with
``/aws/codebuild/<project name>``. The live scan finds such a log group outside every stack:
it is no click-ops but infrastructure the service manages for the stack's resource.

Sources: Lambda developer guide, "Working with Lambda function logs" (default log group
``/aws/lambda/<function name>``); CodeBuild user guide, "View build logs" (log group
``/aws/codebuild/<project-name>``).

>>> service_log_group("AWS::Lambda::Function", "shop-orders-fn")
'/aws/lambda/shop-orders-fn'
"""

from __future__ import annotations

__all__ = ["LOG_GROUP_PREFIXES", "service_log_group"]

# resource type -> (owning service, prefix of the log group it creates, before the physical id)
LOG_GROUP_PREFIXES = {
    "AWS::Lambda::Function": ("Lambda", "/aws/lambda/"),
    "AWS::CodeBuild::Project": ("CodeBuild", "/aws/codebuild/"),
}


def service_log_group(resource_type: str, physical_id: str | None) -> str | None:
    """The log group a service creates by default for a resource, or None when it creates none.

    Parameters
    ----------
    resource_type : str
        CloudFormation type of the resource, e.g. ``AWS::Lambda::Function``.
    physical_id : str or None
        Its physical id as the stack reports it (a function's or project's name).

    Returns
    -------
    str or None
        The log group's name.

    Examples
    --------
    >>> service_log_group("AWS::CodeBuild::Project", "build-web")
    '/aws/codebuild/build-web'
    >>> service_log_group("AWS::SQS::Queue", "q") is None
    True
    """
    known = LOG_GROUP_PREFIXES.get(resource_type)
    if known is None or not physical_id:
        return None
    return known[1] + physical_id
