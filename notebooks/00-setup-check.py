# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 0. Setup check (5 minutes)
#
# Run this notebook first, top to bottom (**Run > Run All Cells**). It checks that your laptop
# is ready for the workshop: the versions of Python and the libraries, a figure, a widget, and
# the local demo account that notebook 6 uses. No AWS account is needed, and nothing leaves
# your machine.
#
# By the end you will be able to:
#
# * run a notebook cell and read its output;
# * tell whether your lab is ready, or which problem to fix and how.

# %% tags=["parameters"]
import os

SOURCE = os.environ.get("IACVIZ_SOURCE", "../data/sample-estate")  # what the other notebooks open

# %% [markdown]
# ## Versions
#
# `setup_problems` lists what would stop the workshop, each with its fix. An empty list means
# the libraries are in place.

# %%
import sys

import iacviz
from iacviz import workshop

print("Python", sys.version.split()[0], "| iacviz", iacviz.__version__)
problems = workshop.setup_problems()
problems

# %% [markdown]
# ## A figure
#
# You should see a small bar chart with three bars. If you see nothing, or text instead of a
# chart, the browser's JavaScript is blocked: reload the page.

# %%
import plotly.graph_objects as go

estate = workshop.open_source(SOURCE)
counts = estate.resources.modality.value_counts()
go.Figure(go.Bar(x=counts.index, y=counts.values), layout={"title": "Resources by modality", "height": 300})

# %% [markdown]
# The three bars count the sample's resources by lifetime (notebook 2 explains the words). The
# tallest, *persistent*, is most of the estate: networks, data and keys. If you can hover a bar
# and see its number, figures work.

# %% [markdown]
# ## A widget
#
# Move the slider: the text next to it should follow. If it does not, the widget extension is
# missing (see the fix printed at the end).

# %%
import ipywidgets as widgets

slider = widgets.IntSlider(value=3, min=0, max=10, description="try me")
label = widgets.Label()
widgets.link((slider, "value"), (label, "value"), transform=(str, int))
widgets.HBox([slider, label])

# %% [markdown]
# ## The local demo account
#
# Notebook 6 starts a local AWS account on 127.0.0.1 (a moto server with fake credentials) and
# deploys the sample into it. Here we start the same server, ask its CloudFormation for its
# stacks (a fresh account has none), and stop it again: a few seconds instead of a deployment.

# %%
try:
    import boto3

    from iacviz.lab.demo_account import start_server

    server, url = start_server()
    try:
        cloudformation = boto3.client("cloudformation", endpoint_url=url, region_name="us-east-1",
                                      aws_access_key_id="testing", aws_secret_access_key="testing")
        stacks = cloudformation.list_stacks()["StackSummaries"]
    finally:
        server.stop()
    print(f"demo account: started on {url}, {len(stacks)} stacks, stopped")
except Exception as err:  # the named problem is the point of this notebook
    problems.append(f"the local demo account did not start ({type(err).__name__}: {err}). "
                    "Fix: `make lab` to reinstall, and check that nothing else uses the port.")

# %% [markdown]
# ## Ready?

# %%
if problems:
    print("\033[31mNOT READY\033[0m")
    for problem in problems:
        print(" -", problem)
else:
    print("\033[32mREADY\033[0m: see you in notebook 1.")

# %% [markdown]
# ## Conclusion
#
# A green READY means every notebook of the workshop will run on this laptop. A red line names
# the problem and its fix; if the fix does not help, raise your hand.
