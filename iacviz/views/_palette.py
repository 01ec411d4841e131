"""The fixed colours of iacviz's figures: one meaning, one colour, in every figure.

Impact of a change (blast radius): **replaced** red, **conditional** orange (CloudFormation may
replace it), **updated** gold (changed in place), **broken** purple (a reference or import that
no longer resolves), **deleted** black. A resource whose change CloudFormation would
*refuse* (``blocked``: e.g. an export still imported) keeps its impact colour and gets a thick
dark-red outline (:data:`BLOCKED_OUTLINE`); unaffected resources are light grey.

Modality: persistent blue, ephemeral green, mixed pink, neutral and unknown greys.
Update behaviour of a property: replace red, conditional orange, in-place green, unknown grey.
Coverage: in a stack green, made by a service light green, click-ops red, AWS default grey.

>>> IMPACT_COLORS["replaced"], BEHAVIOR_COLORS["in-place"]
('#d62728', '#2ca02c')
"""

from __future__ import annotations

from ..analysis.blast_radius import IMPACTS

# worst first, as blast_radius ranks them: a stack or type in a sunburst takes the colour of its worst resource
IMPACT_ORDER = list(reversed(IMPACTS))
_IMPACT_COLOR = {
    "deleted": "#252525",
    "replaced": "#d62728",
    "broken": "#9467bd",
    "conditional": "#ff7f0e",
    "updated": "#f2c500",
}
IMPACT_COLORS = {impact: _IMPACT_COLOR[impact] for impact in IMPACT_ORDER}
UNAFFECTED = "#d9d9d9"
OTHER_IMPACT = "#8c8c8c"  # an impact this palette does not know
BLOCKED_OUTLINE = "#8b0000"
BLOCKED_WIDTH = 4

MODALITY_COLORS = {
    "persistent": "#1f77b4",
    "mixed": "#e377c2",
    "ephemeral": "#2ca02c",
    "neutral": "#c7c7c7",
    "unknown": "#7f7f7f",
}
OUTSIDE = "#ffffff"  # a stack drawn only because a selected stack links to it

# Who manages a resource of the account (IaC coverage): covered greens, click-ops red, AWS grey.
COVERAGE_COLORS = {
    "in a stack": "#2ca02c",
    "made by a service": "#98df8a",
    "click-ops": "#d62728",
    "AWS default": "#c7c7c7",
}

BEHAVIOR_COLORS = {
    "replace": "#d62728",
    "conditional": "#ff7f0e",
    "in-place": "#2ca02c",
    "unknown": "#bdbdbd",
}

LINK_STYLES = {  # link of an import -> (colour, dash)
    "exact": ("#555555", "solid"),
    "inferred": ("#555555", "dash"),
    "ambiguous": ("#ff7f0e", "dot"),
    "candidate": ("#ffbb78", "dot"),  # from a candidate exporter to the bundle of an ambiguous import
    "dangling": ("#d62728", "dash"),
    "unresolved": ("#8c8c8c", "dot"),
    "nests": ("#b0b0b0", "dot"),
}
DANGLING = "#d62728"
UNUSED_EXPORT = "#d62728"

# change_set_table: cell fills
CHANGE_FILLS = {
    "replacement_true": "#f4b6b6",
    "replacement_conditional": "#fdd9a8",
    "data_loss": "#d62728",
    "blocked": BLOCKED_OUTLINE,
    "blocked_conditional": "#f0a8a8",  # refused only if a condition of unknown value holds
    "plain": "#ffffff",
    "header": "#404040",
}


def impact_color(impact: object) -> str:
    """The colour of an impact; grey for one the palette does not know.

    >>> impact_color("broken"), impact_color(None)
    ('#9467bd', '#8c8c8c')
    """
    return IMPACT_COLORS.get(impact, OTHER_IMPACT) if isinstance(impact, str) else OTHER_IMPACT


def worst_impact(impacts) -> str | None:
    """The worst of some impacts, by :data:`IMPACT_ORDER`.

    >>> worst_impact(["updated", "replaced", "conditional"]), worst_impact(["replaced", "broken"])
    ('replaced', 'broken')
    """
    known = [i for i in impacts if isinstance(i, str)]
    ranked = sorted(known, key=lambda i: IMPACT_ORDER.index(i) if i in IMPACT_ORDER else len(IMPACT_ORDER))
    return ranked[0] if ranked else None


def text_on(fill: str) -> str:
    """Black or white, whichever reads better on `fill` (a ``#rrggbb`` colour), by WCAG contrast.

    >>> text_on(IMPACT_COLORS["deleted"]), text_on(IMPACT_COLORS["updated"])
    ('#ffffff', '#000000')
    """
    if not (isinstance(fill, str) and fill.startswith("#") and len(fill) == 7):
        return "#000000"

    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(fill[i : i + 2], 16)) for i in (1, 3, 5))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # contrast with white is 1.05 / (lum + 0.05), with black (lum + 0.05) / 0.05
    return "#ffffff" if 1.05 / (lum + 0.05) >= (lum + 0.05) / 0.05 else "#000000"
