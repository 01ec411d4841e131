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
# # 1. Getting started: an estate as tables (12 minutes)
#
# An **estate** is every CloudFormation stack of an application, wherever it comes from: plain
# YAML or JSON templates, SAM, a CDK cloud assembly (`cdk.out`), Elastic Beanstalk
# `.ebextensions`, nested stacks, or a live AWS account. iacviz reads all of them into one
# `Estate` object: a handful of **tidy pandas DataFrames**, one row per thing (a stack, a
# resource, a property, an export...), one column per fact.
#
# In this notebook you will:
#
# 1. load the sample estate, **shop** (a storefront, an orders API, workers and the data they share);
# 2. see which frames an estate has and where each fact lives;
# 3. ask the first questions with plain pandas (and SQL).
#
# The cell below is the notebook's only parameter. Point `SOURCE` at your own templates later
# (the guide "Your own estate", `docs/your-own-estate.md`, says how); for the workshop, keep
# the sample.
#
# By the end you will be able to:
#
# * load an estate from a folder, a `cdk.out`, a snapshot or an account, with one call;
# * find a fact in the right frame (stacks, resources, properties, exports...);
# * ask questions of it with pandas, or SQL, without falling into the `.stack` trap.

# %% tags=["parameters"]
import os

# A folder of templates, a cdk.out, a snapshot folder, or "live:profile/region". Edit it here,
# or set IACVIZ_SOURCE before starting Jupyter to run every notebook on your own estate.
SOURCE = os.environ.get("IACVIZ_SOURCE", "../data/sample-estate")

# %% [markdown]
# Loading reads every template below the folder. The folder's `iacviz-estate.yaml` names the
# stacks and gives them their production parameter values (`Env: prod`), as a deployment
# pipeline would. Bad input never stops a load: it becomes a row of `estate.errors`.

# %%
import iacviz
from iacviz import views, workshop

estate = workshop.open_source(SOURCE)
estate

# %% [markdown]
# ## Stacks
#
# `estate.stacks` has one row per stack: where it was read from (`source`, `format`), what it
# holds (`n_resources`, after SAM expansion), its `modality` (notebook 2) and, for a nested
# stack, its parent.

# %%
estate.stacks[["stack", "format", "source", "modality", "n_resources", "parent_stack"]]

# %% [markdown]
# On the sample, sixteen stacks: eight plain templates (one of them SAM), the nested child of `edge` (named by the
# loader), two CDK stacks from `cdk.out/`, the `storefront` stack that Elastic Beanstalk
# builds from `.ebextensions`, and the four stacks of the Amplify project in `reviews/` (a root
# stack and its three nested category stacks, modelled from `backend-config.json` the way
# `amplify push` deploys them; notebook 2 looks at them). `expect` checks the numbers this notebook talks about: on the
# sample estate it fails loudly if they ever change; on your own estate it just prints them.

# %%
workshop.expect(SOURCE, "stacks", len(estate.stacks), 16)
amplify = "amplify-reviews-prod-104512"
workshop.expect(SOURCE, "formats", estate.stacks.groupby("format")["stack"].apply(sorted).to_dict(),
                {"amplify": [amplify, f"{amplify}-apireviewsrest", f"{amplify}-functionreviewsapi",
                             f"{amplify}-storagereviewstable"],
                 "cdk": ["ShopMonitoring", "ShopWorkers"], "ebextension": ["storefront"],
                 "yaml": ["checkout", "data", "edge", "edge-WafStack", "iam", "network", "orders-api", "pipeline",
                          "storefront-env"]})

# %% [markdown]
# ## Resources
#
# `estate.resources` has one row per resource of every stack: logical id, type, the AWS service,
# policies, and what iacviz knows about the type (is it `stateful`, its `modality`).
# SAM resources are expanded the way CloudFormation expands them, so an
# `AWS::Serverless::Function` becomes a function, a role and permissions.

# %%
estate.resources[["stack", "logical_id", "type", "service", "stateful", "modality", "generated_by"]].head(12)

# %% [markdown]
# On the sample, the templates create 116 resources once SAM is expanded (14 of them in the
# Amplify project, marked `generated_by = "amplify"`: the Amplify CLI wrote those templates). The
# `.ebextensions` also reference two resources that Elastic Beanstalk itself creates in the
# environment's stack (an auto scaling group and a load balancer); iacviz lists them too, marked
# `generated_by = "ElasticBeanstalk"`.

# %%
from_templates = estate.resources[estate.resources.generated_by.fillna("") != "ElasticBeanstalk"]
workshop.expect(SOURCE, "resources the templates create", len(from_templates), 116)
estate.resources.groupby("service").size().sort_values(ascending=False).head(10)

# %% [markdown]
# ## Exercise
#
# **Fix it.** A colleague wants the stateful resources of one stack, `STACK` (the stack that
# holds the most stateful resources; on the sample, `data`), and writes
# `estate.resources[estate.resources.stack == STACK]`. They get an empty table. Why? Fix the
# expression, and answer: how many resources of `STACK` hold data?
#
# Type your answer in the next cell and run it: `workshop.check` tells you whether it is right (with no answer, it prints a hint).

# %%
STACK = workshop.stateful_stack(estate, prefer="data")
answer = None  # your answer here, e.g. answer = 12
workshop.check("stack-stateful", answer, estate, stack=STACK)

# %% [markdown] tags=["solution"]
# ### Solution
#
# Try the exercise first! Then run the cell below to see the solution.

# %% tags=["solution"]
workshop.show_solution("stack-stateful", estate, stack=STACK)
if workshop.is_sample(SOURCE):  # the answer pinned for the sample, not a second computation
    assert workshop.check("stack-stateful", 6, estate, stack=STACK)

# %% [markdown]
# ## Every frame, every column, documented
#
# Each frame's columns are declared once, with their meaning: `iacviz.schema.describe(name)`
# shows them. Here are the frames of an estate and how many rows each has for the sample.

# %%
names = ["stacks", "resources", "properties", "parameters", "outputs", "conditions", "mappings",
         "references", "exports", "imports", "errors"]
{name: len(getattr(estate, name)) for name in names}

# %%
iacviz.schema.describe("properties")

# %% [markdown]
# **What is where?**
#
# | question | frame |
# |---|---|
# | which stacks, from which files | `stacks` |
# | which resources, of which type, with which policies | `resources` |
# | the value of every property leaf, how it updates, what drives it | `properties` |
# | parameter values actually used | `parameters` |
# | outputs and their export names | `outputs` |
# | every `Ref`, `GetAtt`, `Sub`, `DependsOn`, `ImportValue` | `references` |
# | exports and who imports them | `exports`, `imports` (notebook 3) |
# | what could not be read | `errors` |
#
# A property leaf is addressed by a JSON pointer: `/properties/VpcConfig/SubnetIds/0`.
#
# Here are the properties of one resource worth knowing well: **the stateful resource with the
# widest blast radius**, the one whose replacement would reach the most other resources (on
# the sample, the database `data/Db`; on your estate, whatever the data says).

# %%
EXAMPLE = workshop.widest_stateful(estate, prefer="data/Db") or ""  # "" when nothing holds data
example_stack, _, example_id = EXAMPLE.rpartition("/")
props = estate.properties
print("example resource:", EXAMPLE or "none: no stateful resource in this estate")
props[(props["stack"] == example_stack) & (props.logical_id == example_id)][["path", "value", "update_behavior", "driven_by"]]

# %% [markdown]
# ## SQL, if you prefer
#
# The same frames are tables for DuckDB: `estate.sql(...)`.

# %%
estate.sql("""
    select stack, count(*) as resources, sum(case when stateful then 1 else 0 end) as stateful
    from resources group by stack order by resources desc
""")

# %% [markdown]
# ## Errors
#
# Nothing in the sample is broken, so `estate.errors` is empty. With your own templates, look
# here first: a template that does not parse, an unknown intrinsic function or a parameter
# without a value is reported with its file and line, and the rest of the estate still loads.

# %%
workshop.expect(SOURCE, "errors", len(estate.errors), 0)
estate.errors


# %% [markdown]
# ## Conclusion
#
# An estate is a handful of tidy tables, whatever it was read from. You know where each fact lives
# (`stacks`, `resources`, `properties`, `references`, `exports`, `errors`), how to filter with
# `frame["column"]`, and that `estate.errors` is the first place to look with your own templates.
# Next: which of these resources live for years, and which for one release.
