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
# # 7. Architecture review: the findings, for a meeting (8 minutes)
#
# Everything so far, summarised as **findings**: one row per thing worth discussing, from rules
# that each check one practice (mixed lifecycles, exports in heavy use, stateful resources
# without policies, create-only properties driven from outside, custom names on replaceable
# resources, drift, unmanaged resources...). Each finding has a severity (`error`, `warning`,
# `info`), the stack and resource, a message naming them, and a **fix**.
#
# The goal of a review meeting is not to read all of them. It is to agree on the few that matter:
# which stack, which risk, who fixes it.
#
# By the end you will be able to:
#
# * run the review rules over an estate and read a finding's message and fix;
# * rank the findings for a meeting: data loss first, blocked releases next;
# * hand over the same review as one self-contained HTML report.

# %% tags=["parameters"]
import os

# A folder of templates, a cdk.out, a snapshot folder, or "live:profile/region". Edit it here,
# or set IACVIZ_SOURCE before starting Jupyter to run every notebook on your own estate.
SOURCE = os.environ.get("IACVIZ_SOURCE", "../data/sample-estate")

# %%
import iacviz
from iacviz import views, workshop

estate = workshop.open_source(SOURCE)
estate

# %% [markdown]
# ## Exercise
#
# **Predict** before the review runs: rule **W3001** flags every stateful resource that a
# deletion or a replacement would lose (no Retain or Snapshot in its `DeletionPolicy` or its
# `UpdateReplacePolicy`), leaving out log groups and nested stacks. How many findings will it
# give? (Notebook 5 listed the stateful resources and their policies: `estate.resources`.)
#
# Type your answer in the next cell and run it: `workshop.check` tells you whether it is right (with no answer, it prints a hint).

# %%
answer = None  # your answer here, e.g. answer = 4
workshop.check("stateful-without-policies", answer, estate)

# %% [markdown] tags=["solution"]
# ### Solution
#
# Try the exercise first! Then run the cell below to see the solution.

# %% tags=["solution"]
workshop.show_solution("stateful-without-policies", estate)
if workshop.is_sample(SOURCE):  # the answer pinned for the sample, not a second computation
    assert workshop.check("stateful-without-policies", 7, estate)

# %% [markdown]
# ## The findings
#
# Now run the review: one row per finding, summarised by rule.

# %%
findings = iacviz.review(estate)
findings.groupby(["severity", "rule_id", "title"]).size().rename("findings").reset_index()

# %%
by_rule = findings.groupby("rule_id").size().to_dict()
workshop.expect(SOURCE, "errors", int((findings.severity == "error").sum()), 0)
workshop.expect(SOURCE, "mixed stacks (W1001)", by_rule.get("W1001", 0), 8)
workshop.expect(SOURCE, "unused exports (I2003)", by_rule.get("I2003", 0), 5)
workshop.expect(SOURCE, "exports in heavy use (W2001)", by_rule.get("W2001", 0), 3)

# %% [markdown]
# ## Where are the findings?
#
# Findings per stack and severity: the stacks at the top of this chart are where the meeting
# should spend its time.

# %%
import plotly.express as px

per_stack = findings.groupby(["stack", "severity"]).size().rename("findings").reset_index()
px.bar(per_stack, y="stack", x="findings", color="severity", orientation="h",
       color_discrete_map={"error": "#d62728", "warning": "#ff7f0e", "info": "#1f77b4"},
       category_orders={"severity": ["error", "warning", "info"]},
       title="Findings per stack").update_yaxes(categoryorder="total ascending")

# %% [markdown]
# What to see: the longest bars, at the top, are the stacks with the most findings; red (error)
# and orange (warning) matter more than blue (info). On the sample, the data and application
# stacks lead: that is where the meeting starts.

# %% [markdown]
# ## The risks that lose data
#
# Sort by what hurts most. Stateful resources without `Retain`/`Snapshot` policies (W3001) lose
# their data on a deletion or replacement; the database (notebook 5) is among them, and so is
# the Amplify project's reviews table (the Amplify CLI writes no policy on it).

# %%
findings[findings.rule_id == "W3001"][["stack", "logical_id", "message", "fix"]]

# %% [markdown]
# ## The risks that block releases
#
# Exports imported by many stacks (W2001) freeze their values: any replacement of what they
# point to is refused until every importer has moved (notebook 3).

# %%
findings[findings.rule_id == "W2001"][["stack", "logical_id", "message", "fix"]]

# %% [markdown]
# ## Take it to the meeting
#
# The same overview as one self-contained HTML file (figures, findings, fixes): it opens
# offline and can be attached to a ticket or a CI run. Here it is written to a temporary
# folder; from a shell: `iacviz review data/sample-estate -o report.html`.

# %%
import tempfile
from pathlib import Path

report = iacviz.write_report(estate, Path(tempfile.mkdtemp()) / "review.html")
print(report, f"{report.stat().st_size // 1024} KiB")

# %% [markdown]
# ## Conclusion
#
# The review turns everything from notebooks 1 to 6 into a ranked list of findings, each with
# its fix, and one HTML file to take to the meeting. Next, the capstone: fix some of these
# findings yourself, and let iacviz prove the fixes.
