"""W1002: nested stacks nested deeper than a limit."""

from __future__ import annotations

from typing import Any, Iterable

from ._base import Rule, is_missing


class NestedStackDepth(Rule):
    """Fires for each nested stack deeper than ``max_depth`` (a top-level stack has depth 0).

    >>> from iacviz.schema import frame
    >>> from iacviz.model.estate import Estate
    >>> chain = [{"stack": "a"}, {"stack": "b", "parent_stack": "a", "parent_resource": "B"},
    ...          {"stack": "c", "parent_stack": "b", "parent_resource": "C"}]
    >>> [f["stack"] for f in NestedStackDepth().check(Estate({"stacks": frame("stacks", chain)}), {"max_depth": 1})]
    ['c']
    """

    id = "W1002"
    title = "Nested stacks nested too deep"
    description = (
        "Each level of nesting is one more stack that an update of the root walks through, one more place a "
        "rollback can stop, and one more hop between a value and where it is used. Deep trees are hard to "
        "follow and slow to update; a value passed down several levels of parameters is easy to break."
    )
    fix = (
        "Flatten the tree: merge small child stacks into their parent, or turn independent subtrees into "
        "separate top-level stacks that share values through exports."
    )
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-nested-stacks.html"
    tags = ("stacks", "nesting")
    precision = (
        "aws-cloudformation-templates read as one estate (286 stacks): no findings (no nesting deeper "
        "than the threshold)."
    )
    config = {"max_depth": 2}

    def check(self, estate: Any, config: dict[str, Any]) -> Iterable[dict[str, Any]]:
        st = estate.stacks
        parents = {s: p for s, p in zip(st["stack"], st.parent_stack) if not is_missing(p)}
        resource_of = dict(zip(st["stack"], st.parent_resource))
        for stack in st["stack"]:
            chain, seen = [stack], {stack}
            while chain[-1] in parents and parents[chain[-1]] not in seen:  # a bad cycle must not loop
                chain.append(parents[chain[-1]])
                seen.add(chain[-1])
            depth = len(chain) - 1
            if depth > config["max_depth"]:
                path = " > ".join(reversed(chain))
                yield self.finding(
                    stack,
                    resource_of.get(stack),
                    f"{stack} is nested {depth} levels deep ({path}); the limit is {config['max_depth']}",
                )
