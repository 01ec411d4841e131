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
# # 2. Persistent and ephemeral: split stacks by how long things live (10 minutes)
#
# Some resources live for years: the network, the database, the keys, the queues that hold
# messages, the roles other teams rely on. Others are redeployed with every release: functions,
# containers, task definitions, API deployments. We call the first kind **persistent** and the
# second **ephemeral** (CloudFormation's own machinery, such as nested-stack resources and
# `CDKMetadata`, is **neutral**).
#
# Why care? A stack is the unit CloudFormation updates and rolls back. When a stack mixes both
# kinds, every application release also updates the stack that holds the database: one wrong
# line in a release can replace or delete data, and a failed release rolls back your data
# tier too. Splitting by longevity keeps the risky, stateful part in stacks that change rarely
# and are reviewed carefully, and lets the rest move fast.
#
# By the end you will be able to:
#
# * tell a persistent resource from an ephemeral one, and both from a stateful one;
# * spot a mixed stack on the modality map and say why it is risky;
# * propose which resources to move out of a mixed stack.

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
# ## Modality of a resource
#
# Each resource type has a modality, from iacviz's table (`iacviz/data/resource_types.csv`):
# a VPC, a database, a queue, a log group, an alarm are persistent; a function, an ECS service,
# a task definition, a Beanstalk environment are ephemeral. `stateful` says whether the resource
# holds data that a replacement or deletion loses. It is a separate question: a security group
# is persistent but holds no data.

# %%
counts = estate.resources.modality.value_counts()
workshop.expect(SOURCE, "resources by modality", counts.to_dict(), {"persistent": 85, "ephemeral": 27, "neutral": 6})
counts

# %% [markdown]
# ## Exercise
#
# Which stack holds the most persistent resources?
#
# Type your answer in the next cell and run it: `workshop.check` tells you whether it is right (with no answer, it prints a hint).

# %%
answer = None  # your answer here, e.g. answer = "iam"
workshop.check("most-persistent", answer, estate)

# %% [markdown] tags=["solution"]
# ### Solution
#
# Try the exercise first! Then run the cell below to see the solution.

# %% tags=["solution"]
workshop.show_solution("most-persistent", estate)
if workshop.is_sample(SOURCE):  # the answer pinned for the sample, not a second computation
    assert workshop.check("most-persistent", "network", estate)

# %% [markdown]
# ## Modality of a stack
#
# A stack is **persistent** when all its (non-neutral) resources are persistent, **ephemeral**
# when all are ephemeral, and **mixed** otherwise.

# %%
st = estate.stacks[["stack", "modality", "n_resources"]].sort_values(["modality", "stack"])
workshop.expect(SOURCE, "persistent stacks", set(st[st.modality == "persistent"]["stack"]),
                {"network", "edge", "edge-WafStack", "data", "iam", "ShopMonitoring",
                 "amplify-reviews-prod-104512", "amplify-reviews-prod-104512-storagereviewstable"})
st

# %% [markdown]
# ## The modality map
#
# The bars count each stack's resources by modality: blue persistent, green ephemeral, grey
# neutral. A stack that mixes persistent and ephemeral resources gets a ⚠ and a pink diamond;
# hover the diamond to see the resources of its minority kind, the candidates to move elsewhere.
# Stacks are ordered as on the export map of notebook 3: persistent at the bottom, ephemeral on top.

# %%
views.modality_bars(estate.resources, estate.stacks)

# %% [markdown]
# What to see: each bar is a stack, its colours the share of persistent (blue), ephemeral (green)
# and neutral (grey) resources. A bar of one colour is a stack with one lifetime; a ⚠ marks a
# stack that mixes both, and its diamond lists the resources to discuss. On the sample, the four
# application stacks carry the mark, and so do the pipeline and the checkout service.

# %% [markdown]
# ## Exercise: design a split
#
# **Design a split.** Take `MIXED`, a mixed stack (the next cell picks one; on the sample, the
# storefront's Beanstalk stack). Which of its resources would you move to another stack so
# that what remains is ephemeral? Leave out what a service creates for itself (Elastic
# Beanstalk's load balancer): you cannot move it by editing templates. Answer with their names.
#
# Type your answer in the next cell and run it: `workshop.check` tells you whether it is right (with no answer, it prints a hint).

# %%
MIXED = workshop.mixed_stack(estate, prefer="storefront")
answer = None  # your answer here, e.g. answer = ["CartEventsQueue"]
workshop.check("split-mixed", answer, estate, stack=MIXED)

# %% [markdown] tags=["solution"]
# ### Solution
#
# Try the exercise first! Then run the cell below to see the solution.

# %% tags=["solution"]
workshop.show_solution("split-mixed", estate, stack=MIXED)
if workshop.is_sample(SOURCE):  # the answer pinned for the sample, not a second computation
    assert workshop.check("split-mixed", ["CartEventsQueue", "CartEventsDeadLetterQueue", "CartEventsDepthAlarm", "StorefrontHighCpuAlarm", "Storefront5xxAlarm"], estate, stack=MIXED)

# %% [markdown]
# ## Which stacks are mixed, and why?
#
# The shop team meant `network`, `edge`, `data`, `iam` and `ShopMonitoring` to be persistent,
# and they are (so are the Amplify project's root and storage stacks). The four application stacks are mixed, and so
# are the release pipeline and the checkout service (both come back at the end of this notebook) and two stacks of the
# Amplify project (more on it below). Look at them resource by resource:

# %%
res = estate.resources
mixed = estate.stacks[estate.stacks.modality == "mixed"]["stack"]
workshop.expect(
    SOURCE,
    "mixed stacks",
    set(mixed),
    {
        "orders-api",
        "storefront",
        "storefront-env",
        "ShopWorkers",
        "checkout",
        "pipeline",
        "amplify-reviews-prod-104512-apireviewsrest",
        "amplify-reviews-prod-104512-functionreviewsapi",
    },
)
res[res["stack"].isin(mixed)].groupby(["stack", "modality"])["logical_id"].apply(list).unstack()

# %% [markdown]
# Reading the table:
#
# * `orders-api` creates its **log groups** and its **REST API** next to its functions. Log groups
#   are persistent (they hold the logs, and this template sets no DeletionPolicy on them), and
#   the API's URL is what clients call: deleting or renaming the stack takes both with it.
# * `storefront` and `storefront-env` put **queues and alarms** into the Beanstalk environment:
#   recreating the environment recreates its queues, and the messages in them are gone.
# * `ShopWorkers` owns its **ECS cluster** (persistent) next to the service that runs on it.
# * `checkout` owns its cluster, load balancer and target groups next to the task definition and
#   task set that every release replaces; `pipeline` keeps its role next to the pipeline
#   itself (see "Who deploys what" below).
# * The Amplify project's function stack holds the function's **role** next to the function,
#   and its API stack the **REST API** next to its deployment: the Amplify CLI writes them so.
#
# "Mixed" is a prompt for a conversation, not a verdict. Log groups created with their
# function are a common pattern, while a queue that holds orders deserves a stack of its own.
# The review in notebook 7 (rule W1001) lists the same stacks with a suggested fix.
#
# ## Large estates: group stacks into services
#
# With hundreds of stacks, one bar per stack is too much. `collapse_by_service=True` groups
# stacks by the start of their name (`orders-api` -> `orders`, a nested stack joins its parent);
# pass a dict or a function for your own grouping. Every figure that draws stacks accepts it.

# %%
views.modality_bars(estate.resources, estate.stacks, collapse_by_service=True)

# %% [markdown]
# What to see: fewer, wider bars, one per service. A service that is mixed as a whole is the
# conversation to have first; a mixed bar here can hide one clean stack and one mixed one, so
# drill back into the per-stack view for the details.

# %% [markdown]
# And `views.filter_estate_frames` cuts an estate down to some stacks, types or modalities
# (glob patterns allowed) before drawing anything. Here: only the persistent resources that
# hold data, by stack.

# %%
persistent = views.filter_estate_frames(estate, modality="persistent")["resources"]
persistent[persistent.stateful.fillna(False)].groupby("stack")["logical_id"].apply(list)

# %% [markdown]
# ## Amplify: one root stack per environment, managed by the Amplify CLI
#
# The sample's `reviews/` folder is an **Amplify Gen 1** project: a product-reviews feature a
# front-end team built with the Amplify CLI. Nobody there writes CloudFormation wiring:
# `amplify push` deploys one **root stack per environment** (named in
# `amplify/team-provider-info.json`, with the environment's account and region), holding a
# deployment bucket and two roles, and nests one stack per **category resource**: the DynamoDB
# table (category `storage`), the function (`function`), the REST API (`api`). iacviz reads the
# project the same way; the `app` and `environment` columns say which project and environment a
# stack belongs to.

# %%
apps = estate.stacks[estate.stacks.app.notna()]
workshop.expect(SOURCE, "Amplify stacks", len(apps), 4)
apps[["stack", "parent_stack", "app", "environment", "account", "region", "modality"]]

# %% [markdown]
# Where each resource's lifetime sits, stack by stack of the project:

# %%
res[res["stack"].isin(apps["stack"])].groupby(["stack", "modality"])["logical_id"].apply(list).unstack()

# %% [markdown]
# What is persistent, what is ephemeral, and who manages it:
#
# * **Persistent**: the table in the storage stack (it holds the reviews; the CLI sets no
#   `DeletionPolicy` on it, so removing the environment with `amplify env remove` deletes the
#   data), the deployment bucket (kept: `Retain`) and the roles.
# * **Ephemeral**: the function and the API's deployment, redeployed by every `amplify push`.
# * **Who manages it**: the Amplify CLI (or Amplify Hosting's build) owns the whole tree. One
#   `amplify push` updates the root and every nested stack, so a release of the function is an
#   update of the stack tree that also holds the table: lifetimes are separated by nested stack,
#   not by deployment.
#
# The shop's own persistent infrastructure stays out of that tree. The function needs the
# catalogue database, which the `data` stack owns: it gets the **endpoint**, the name of the SSM
# parameter `data` writes, as a plain parameter value (`dbEndpointParameter` in the function's
# `parameters.json`, the environment variable `DB_ENDPOINT_PARAMETER` at run time), not an
# `Fn::ImportValue`. So `data` can change without CloudFormation refusing it on the project's
# account, and the Amplify environment can go without touching the shop's data. Within the
# project, the root wires the table's name and ARN into the function (`dependsOn` in
# `backend-config.json`), and the blast radius follows that wiring:

# %%
tables = res[res["stack"].isin(apps["stack"]) & (res.type == "AWS::DynamoDB::Table")]
if tables.empty:
    print("No Amplify storage table in this estate.")
else:
    table = f"{tables['stack'].iloc[0]}/{tables.logical_id.iloc[0]}"
    reached = iacviz.blast_radius(estate, table)
    print(f"replacing {table} reaches:")
    print(reached[["stack", "logical_id", "impact"]].to_string(index=False))

# %% [markdown]
# What to see: the function and its policy, in another nested stack, are reached through the
# parameters the root passes; nothing outside the project is, because the project reaches the
# shop's database only through an endpoint it looks up at run time.

# %% [markdown]
# ## Who deploys what: pipelines, build scripts and blue/green
#
# Templates are not the only thing that decides what lives long and what is redeployed. Three
# more systems take part in every release, and each manages something different:
#
# * A **pipeline** (CodePipeline) deploys stacks with its CloudFormation deploy actions. The
#   pipeline is configuration you keep: its stack outlives every release it runs. The stacks it
#   deploys are redeployed by each release. CodePipeline runs the release; CloudFormation still
#   manages each stack it deploys.
# * Its **build scripts** (a `buildspec.yml`, shell scripts, Makefiles, CI workflows) often read
#   exports with the AWS CLI instead of `Fn::ImportValue`. CloudFormation never sees those
#   reads. iacviz scans the scripts as text (it never runs them) and lists each read as an
#   import with `via = "script"`, the file and the line.
# * A **blue/green** ECS service (the `AWS::CodeDeployBlueGreen` transform) is managed by
#   CodeDeploy during an update: it starts a green copy of the task set, shifts the traffic to
#   it, then deletes the blue one. The green copy exists only during a release and is written
#   in no template: the most ephemeral infrastructure of all.
#
# First the pipelines: every deploy action becomes a `Deploys` reference from the pipeline's
# stack to the stack (or, for Elastic Beanstalk, ECS and CodeDeploy actions, the resource) it
# deploys.

# %%
refs = estate.references
deploys = refs[refs.kind == "Deploys"][["source_stack", "source", "target_stack", "target", "target_kind"]]
workshop.expect(SOURCE, "stacks the pipeline deploys", set(deploys.target_stack.dropna()),
                {"orders-api", "storefront-env", "checkout"})
deploys

# %% [markdown]
# Reading the table: `source_stack` holds the pipeline, `target_stack` the stack it deploys. A
# deploy action names its stack by `StackName` only, never by a reference, so this is the one
# place where the link shows. The deployment order counts it: a pipeline's stack must exist
# before the stacks it deploys.

# %%
release = sorted(set(deploys.source_stack) | set(deploys.target_stack.dropna()))
order = {s: i for i, wave in enumerate(iacviz.deployment_order(estate)) for s in wave}
{s: order.get(s) for s in release}

# %% [markdown]
# Each number is a deployment wave: 0 deploys first. The pipeline sits in an earlier wave
# than every stack it deploys. On the sample, `checkout` sits in an early wave too: its
# template imports nothing (a blue/green template may not), and the values it needs from
# `network` and `iam` reach it through the build script, which the order cannot see.
#
# Now the lifetimes of the release machinery: the pipeline's stack and the stacks it deploys,
# by modality.

# %%
if release:
    picked = views.filter_estate_frames(estate, stacks=release)
    fig = views.modality_bars(picked["resources"], picked["stacks"])
else:
    fig = views.modality_bars(estate.resources, estate.stacks)
fig

# %% [markdown]
# What to see: the pipeline's stack is mixed. Its IAM role is persistent (other stacks' deploy
# actions run as that role) while the pipeline and the build project are configuration,
# recreated from the template without loss. Its artifact bucket lives outside it, made once
# per account. The deployed stacks keep their own mix, which the pipeline does not change.
#
# ## Build scripts that read exports
#
# The imports with `via = "script"` are the reads the build scripts make. Each names its file
# and line.

# %%
imp = estate.imports
scripts = imp[imp.via == "script"][["file", "line", "export_name", "export_stack", "link"]]
workshop.expect(SOURCE, "exports the build reads", len(scripts), 8)
scripts

# %% [markdown]
# Such an export is in use, though no template imports it: iacviz no longer reports it as
# unused, and a blast radius reaches the script. Here the blast radius of a change to an
# export the build reads: the `(scripts)` ring holds the script, its line in the hover.

# %%
read = scripts.dropna(subset=["export_stack"])
if len(read):
    target = f"{read.export_stack.iloc[0]}/Outputs.{imp[imp.via == 'script'].export_output.dropna().iloc[0]}"
    blast = iacviz.blast_radius(estate, target, "update")
else:
    blast = iacviz.blast_radius(estate, estate.stacks["stack"].iloc[0], "update")
views.blast_sunburst(blast)

# %% [markdown]
# What to see: the stacks that import the export are refused by CloudFormation while they
# import it (the outlined sectors). The script is not: CloudFormation does not know it reads
# the value, lets the change through, and the build reads the new value, or fails, at its
# next run. That is why iacviz names the script in the refusal text and in the plan.
#
# ## A blue/green service
#
# `estate.blue_green` lists what each blue/green hook covers: the ECS service it deploys, the
# blue task definition and task set (in the template), their green copies (named by the hook,
# created only during an update), the listeners and the two target groups.

# %%
bg = estate.blue_green
workshop.expect(SOURCE, "blue/green services", set(bg[bg.role == "service"].logical_id), {"CheckoutService"})
bg[["stack", "hook", "role", "logical_id", "color", "exists", "traffic_routing"]]

# %% [markdown]
# Reading the table: rows with `exists` False are the green resources. They are ephemeral by
# design, and CodeDeploy, not your template, manages them. What does a new image do to such a
# service? The plan shows it: a new task definition under the hook is a `BlueGreen` action,
# not a replacement of the service.

# %%
if len(bg):
    stack = bg["stack"].iloc[0]
    plan = iacviz.plan_changes(estate, estate, after_parameters={stack: {"Image": "public.ecr.aws/nginx/nginx:1.28"}},
                               stack=stack)
else:
    plan = iacviz.plan_changes(estate, estate)
plan[["stack", "logical_id", "action", "will_replace", "blocked", "note"]]

# %% [markdown]
# Reading the plan: the task definition, the task set and the primary task set are part of one
# blue/green deployment, and nothing is replaced in place: the service stays and keeps serving
# while the traffic moves. CloudFormation refuses such an update when it also changes any other
# resource of the stack; the `blocked` column would say so. Persistent: the service, the load
# balancer, the target groups. Ephemeral: the task sets, blue and green, which take turns.

# %% [markdown]
# ## Conclusion
#
# Persistent resources outlive releases, ephemeral ones are redeployed by them, and a stack that
# mixes both puts its data tier in every release. You can read the modality map, list a mixed
# stack's minority resources and propose a split. Moving resources between stacks needs
# exports and imports: that is the next notebook.
