"""E2002: an import of an export that no stack provides."""

from __future__ import annotations

from typing import Any, Iterable

import pandas as pd

from ..analysis import problems as _problems  # noqa: F401 - registers estate.export_problems
from ._base import Rule


class DanglingImport(Rule):
    """Fires for each ``Fn::ImportValue`` whose name matches no export of the estate.

    >>> import iacviz
    >>> t = {"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
    ...      "GroupDescription": "x", "VpcId": {"Fn::ImportValue": "net-VpcId"}}}}}
    >>> [f["logical_id"] for f in DanglingImport().check(iacviz.load_template(t, stack="app"), {})]
    ['Sg']
    """

    id = "E2002"
    title = "Import of an export no stack provides"
    description = (
        "`Fn::ImportValue` fails the whole deployment when no stack in the account and region exports the "
        "name. Names are resolved with the stacks' parameter values and matched exactly or as patterns "
        "(`iacviz.analysis.exports`); an import is dangling when nothing in the estate can be meant. It may "
        "be exported by a stack you did not load: load it too, or disable the rule."
    )
    fix = (
        "Fix the import name (or the parameter it is built from), deploy the exporting stack first, or add "
        "the missing output with `Export: Name:`."
    )
    source_url = (
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
        "intrinsic-function-reference-importvalue.html"
    )
    tags = ("exports", "deployment")
    precision = (
        "aws-cloudformation-templates read as one estate (286 stacks): 6 findings, all checked: 4 true "
        "(NeptuneDB imports vpc-* names no template exports), 2 where the exporter is a template that "
        "cannot be read (an unknown !Rain::Embed tag), which the message now says. The dangling import "
        "under a false !If condition of a public catalog is gone (inactive)."
    )

    def check(self, estate: Any, config: dict[str, Any]) -> Iterable[dict[str, Any]]:
        # An import under a false condition is never evaluated: export_problems leaves it out.
        problems = estate.export_problems  # the derived frame: computed once per estate
        for r in problems[problems["kind"] == "dangling import"].itertuples():
            yield {
                **self.finding(r.stack, r.source, r.message),
                "active": None if pd.isna(r.active) else bool(r.active),
            }
