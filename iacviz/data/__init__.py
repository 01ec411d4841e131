"""The bundled sample estate (the "shop" application) and its change scenarios.

One copy, the repository's ``data/`` folder: the wheel carries it as package data
(``iacviz/data/sample-estate``, ``iacviz/data/scenarios``; see ``[tool.hatch.build]`` in
``pyproject.toml``) and :mod:`importlib.resources` finds it there; a source checkout, where the
package has no such folder, reads ``data/`` beside the package.

>>> sample_estate().name
'sample-estate'
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..errors import IacvizError

__all__ = ["sample_estate", "scenario"]

_CHECKOUT_DATA = Path(__file__).resolve().parents[2] / "data"


def _bundled(*parts: str) -> Path:
    packaged = resources.files(__name__).joinpath(*parts)
    if isinstance(packaged, Path) and packaged.is_dir():  # an installed wheel: plain files
        return packaged
    checkout = _CHECKOUT_DATA.joinpath(*parts)
    if checkout.is_dir():
        return checkout
    raise IacvizError(
        f"{'/'.join(parts)} is not bundled with this installation of iacviz (looked in {packaged} and {checkout})"
    )


def sample_estate() -> Path:
    """Folder of the bundled sample estate: the "shop" application's fourteen stacks.

    Returns
    -------
    pathlib.Path
        A folder of templates and an estate file, ready for :func:`iacviz.load`.

    Raises
    ------
    IacvizError
        When this installation of iacviz lacks the sample data.

    Examples
    --------
    >>> import iacviz
    >>> estate = iacviz.load(sample_estate())
    >>> "network" in set(estate.stacks["stack_name"])
    True
    """
    return _bundled("sample-estate")


def scenario(name: str) -> Path:
    """Folder of a change scenario: the sample estate after a release.

    Parameters
    ----------
    name : str
        The scenario, e.g. ``"release-2"`` (a folder of ``data/scenarios``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    IacvizError
        When there is no such scenario.

    Examples
    --------
    >>> scenario("release-2").name
    'release-2'
    >>> import iacviz
    >>> plan = iacviz.plan_changes(sample_estate(), scenario("release-2"))
    >>> "Modify" in set(plan.action)
    True
    """
    return _bundled("scenarios", name)
