"""IaC coverage of a live estate: per service, resources stacks manage vs resources they don't.

>>> import pandas as pd
>>> from iacviz.schema import frame
>>> frames = {"resources": frame("resources", [{"stack": "d", "logical_id": "B", "service": "S3",
...                                             "physical_id": "b1"}]),
...           "unmanaged": frame("unmanaged", [{"service": "S3", "id": "clickops"},
...                                            {"service": "SQS", "id": "q"}])}
>>> iac_coverage(frames)[["service", "managed", "unmanaged", "coverage_pct"]].values.tolist()
[['SQS', 0, 1, 0.0], ['S3', 1, 1, 50.0]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import pandas as pd

from .. import schema

if TYPE_CHECKING:
    from ..model.estate import Estate


def iac_coverage(estate: Estate | Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per service of managed and unmanaged resources, worst coverage first.

    Managed counts resources with a physical id (deployed) and what a service made
    (``unmanaged.managed_by == "service"``, also counted apart in ``service_managed``);
    unmanaged counts click-ops (``managed_by == "none"``); AWS-owned defaults
    (``managed_by == "aws"``) are counted apart in ``aws_default`` and in neither (a service
    with only defaults has no coverage, NA). The unmanaged scan covers a set of common
    services (see :mod:`iacviz.sources.live_unmanaged`), so services outside it show 100 %
    by construction.

    Parameters
    ----------
    estate : Estate or mapping of DataFrames
        An estate read live (with ``include`` holding ``unmanaged``), or its ``resources``
        and ``unmanaged`` frames.

    Returns
    -------
    pandas.DataFrame
        Frame ``coverage`` (``iacviz.schema.describe("coverage")``).

    Examples
    --------
    >>> import iacviz
    >>> estate = iacviz.load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    >>> len(iac_coverage(estate))  # from files: nothing deployed, nothing scanned
    0
    """
    # An estate read from files has no unmanaged frame: nothing was listed, nothing is counted.
    frames = estate if isinstance(estate, Mapping) else estate.frames()
    res = frames.get("resources", schema.frame("resources", []))
    unm = frames.get("unmanaged", schema.frame("unmanaged", []))
    by = unm.managed_by.astype(object) if "managed_by" in unm else pd.Series(None, unm.index, dtype=object)
    # What a service made (an Auto Scaling group's instances) counts as covered; AWS-owned
    # defaults count neither way: no stack could own them.
    service = unm.service[by.eq("service")].value_counts()
    managed = res.service[res.physical_id.notna()].value_counts().add(service, fill_value=0)
    clickops = unm.service[~by.isin(["service", "aws"])].value_counts()
    defaults = unm.service[by.eq("aws")].value_counts()
    out = pd.concat(
        [
            managed.rename("managed"),
            clickops.rename("unmanaged"),
            service.rename("service_managed"),
            defaults.rename("aws_default"),
        ],
        axis=1,
    ).fillna(0)
    out = out.astype(int).rename_axis("service").reset_index()
    total = out.managed + out.unmanaged
    out["coverage_pct"] = (out.managed / total.where(total > 0) * 100).round(1)
    out = out.sort_values(["coverage_pct", "service"], kind="stable", na_position="last").reset_index(drop=True)
    return schema.frame("coverage", out)
