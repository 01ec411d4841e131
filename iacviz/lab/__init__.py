"""The workshop kit, installed with ``pip install "iacviz[lab]"`` (moto, ipywidgets, JupyterLab).

* :mod:`iacviz.lab.workshop`: the notebooks' helpers (open a source, check an exercise, guard
  the numbers a notebook teaches);
* :mod:`iacviz.lab.demo_account`: a local AWS account (moto's server on 127.0.0.1) with the
  sample estate deployed, for the live notebook and the tests;
* :mod:`iacviz.lab.moto_compat`: what the demo account prepares offline where moto's
  CloudFormation falls short.

The core library (``pip install iacviz``) needs none of their packages; a module of this kit
whose package is missing says which extra brings it (:class:`iacviz.errors.MissingExtra`).
"""
