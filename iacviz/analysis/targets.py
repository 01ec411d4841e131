"""What a user may type to name a thing of an estate, and "did you mean" when it names nothing.

A target is ``stack/LogicalId``, ``stack/Parameters.Name``, ``stack/Outputs.Name``, a stack, an
export name, or a CDK construct path as ``cdk ls``/the console show it
(``StorefrontNetworkStack/StorefrontVPC``): the resources whose ``aws:cdk:path`` is that
construct (its ``/Resource``) or lies below it.

>>> import iacviz
>>> t = {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC",
...      "Metadata": {"aws:cdk:path": "NetStack/StorefrontVPC/Resource"}}}}
>>> e = iacviz.load_template(t, stack="NetStack")
>>> construct_resources(e, "NetStack/StorefrontVPC")
['NetStack/Vpc']
>>> suggestions(e, "netstack/vpc")
['NetStack/Vpc']
"""

from __future__ import annotations

import difflib

from ..model.estate import Estate

__all__ = ["construct_resources", "suggestions", "did_you_mean"]


def construct_resources(estate: Estate, path: str, subtree: bool = False) -> list[str]:
    """``stack/LogicalId`` of the resources a CDK construct path names (empty: none).

    The construct's own resource (``path/Resource`` or ``path`` itself) when there is one,
    else every resource below it (``StorefrontVPC`` holds subnets, routes, gateways...);
    with `subtree`, the own resource and everything below it.
    """
    res = estate.resources
    cdk = res.cdk_path.astype(object)
    path = path.strip("/")
    if not path or cdk.isna().all():
        return []
    ids = res["stack"].astype(object) + "/" + res.logical_id.astype(object)
    own = ids[(cdk == path) | (cdk == f"{path}/Resource") | (cdk == f"{path}/Default")]
    if len(own) and not subtree:
        return own.tolist()
    below = cdk.map(lambda p: isinstance(p, str) and p.startswith(f"{path}/"))
    return list(dict.fromkeys(own.tolist() + ids[below.astype(bool)].tolist()))


def _names(estate: Estate) -> list[str]:
    res, par, out = estate.resources, estate.parameters, estate.outputs
    names = (res["stack"].astype(object) + "/" + res.logical_id.astype(object)).tolist()
    names += (par["stack"].astype(object) + "/Parameters." + par.name.astype(object)).tolist()
    names += (out["stack"].astype(object) + "/Outputs." + out.name.astype(object)).tolist()
    names += estate.stacks["stack"].astype(object).tolist()
    names += [x for x in out.export_name.dropna().astype(object) if "${" not in x]
    cdk = res.cdk_path.dropna().astype(object)
    names += sorted({p.removesuffix("/Resource") for p in cdk})
    return list(dict.fromkeys(n for n in names if isinstance(n, str)))


def suggestions(estate: Estate, target: str, n: int = 5) -> list[str]:
    """Names of the estate close to `target`: the same text in another case if there is one,
    else close spellings (difflib), at most `n`.

    >>> import iacviz
    >>> e = iacviz.load_template({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}, stack="site")
    >>> suggestions(e, "site/Buckt"), suggestions(e, "nothing-like-it")
    (['site/Bucket'], [])
    """
    names = _names(estate)
    lower = target.lower()
    same_case = [x for x in names if x.lower() == lower]
    if same_case:  # only the case was wrong: that is the answer
        return same_case[:n]
    stack, slash, rest = target.partition("/")
    pool = names
    if slash:  # a stack/Thing target: look for the thing in that stack (any case) first
        pool = [x for x in names if x.lower().startswith(stack.lower() + "/")] or names
    close = difflib.get_close_matches(target, pool, n=n, cutoff=0.6)
    close += difflib.get_close_matches(lower, [x.lower() for x in pool], n=n, cutoff=0.6)
    by_lower = {x.lower(): x for x in pool}
    found = same_case + [by_lower.get(x, x) for x in close]
    return list(dict.fromkeys(found))[:n]


def did_you_mean(estate: Estate, target: str) -> str:
    """`` Did you mean 'a' or 'b'?`` for an error message ('' when nothing is close).

    >>> import iacviz
    >>> did_you_mean(iacviz.load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, stack="s"), "S/q")
    " Did you mean 's/Q'?"
    """
    found = suggestions(estate, target)
    if not found:
        return ""
    quoted = [repr(x) for x in found]
    return " Did you mean " + (quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]) + "?"
