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
# # 6. A live account: the same views, plus drift and what no stack owns (8 minutes, optional)
#
# Templates say what *should* exist; an account says what *does*. iacviz reads a deployed
# account **read-only** (every AWS call it makes is a Describe/List/Get, enforced in code; no
# secret or data is ever read) into the same kind of `Estate`, with extra columns (stack
# status, last update, drift) and extra frames (resources outside any stack).
#
# So that the workshop needs no AWS account, this notebook starts a **local demo account** by
# default: a moto server on 127.0.0.1 with fake credentials, into which the sample estate is
# deployed through the real CloudFormation API, plus a few resources "clicked" by hand. Nothing
# leaves your machine. To look at a real account instead, set `SOURCE = "live:PROFILE/REGION"`
# (a read-only profile is enough).
#
# By the end you will be able to:
#
# * read an account, read-only, into the same frames as the templates;
# * compare what the repository defines with what the account has;
# * find the resources that no stack owns, and tell click-ops from tooling.

# %% tags=["parameters"]
SOURCE = "demo"  # "demo": a local moto account with the sample estate deployed; or "live:profile/region"
ESTATE_DIR = "../data/sample-estate"  # what the demo account deploys (and what we compare with)

# %%
import pandas as pd

import iacviz
from iacviz import views, workshop

demo = iacviz.start_demo_account(ESTATE_DIR) if SOURCE == "demo" else None
estate = workshop.open_source(demo.endpoint_url if demo else SOURCE)
estate

# %% [markdown]
# ## Exercise: predict
#
# **Predict.** The repository has sixteen stacks. Before you look at the account: which of them
# will *not* appear under their own name once deployed? Think about how each was deployed.
#
# Type your answer in the next cell and run it: `workshop.check` tells you whether it is right (with no answer, it prints a hint).

# %%
repo = workshop.open_source(ESTATE_DIR)
answer = None  # your answer here, e.g. answer = ["network"]
workshop.check("missing-in-account", answer, estate, repo=repo)

# %% [markdown] tags=["solution"]
# ### Solution
#
# Try the exercise first! Then run the cell below to see the solution.

# %% tags=["solution"]
workshop.show_solution("missing-in-account", estate, repo=repo)
if workshop.is_sample(SOURCE):  # the answer pinned for the sample, not a second computation
    assert workshop.check(
        "missing-in-account",
        ["storefront", "edge-WafStack", "checkout", "amplify-reviews-prod-104512-apireviewsrest",
         "amplify-reviews-prod-104512-functionreviewsapi", "amplify-reviews-prod-104512-storagereviewstable"],
        estate,
        repo=repo,
    )

# %% [markdown]
# ## Deployed stacks
#
# The live columns are filled: `stack_status`, `last_updated`, `account`, `region`.

# %%
workshop.expect(SOURCE, "deployed stacks", len(estate.stacks), 15)
estate.stacks[["stack", "stack_status", "last_updated", "modality", "n_resources", "parent_stack"]]

# %% [markdown]
# Check your prediction: the Beanstalk `.ebextensions` are not a stack of their own (Elastic
# Beanstalk merges them into the environment's stack), and the nested stacks (the WAF stack, and
# the three category stacks of the Amplify project) have the names CloudFormation gave them,
# with a random suffix. iacviz still knows the Amplify ones: their names (and, in a real account,
# the tags `user:Application` and `user:Stack` the Amplify CLI sets) fill `app` and `environment`.
# On the sample, `checkout` is missing too, for another reason: the pipeline deploys it with
# parameter values its build reads from the exports (notebook 2), and the demo deploys only
# what the repository alone can deploy. One stack, `nightly-batch`, is in the account but not
# in the repository: another team deployed it from a repository of its own. You will meet it
# again below.

# %%
estate.stacks[estate.stacks.app.notna()][["stack", "app", "environment", "parent_stack"]]

# %% [markdown]
# ## The same views
#
# Everything from the earlier notebooks works on a live estate, because it is the same kind of
# object. Here is the export map of the account, built from the deployed templates:

# %%
workshop.expect(SOURCE, "exports in the account", len(estate.exports), 29)
views.export_map(estate.stacks, estate.imports, estate.exports)

# %% [markdown]
# What to see: the same map as in notebook 3, drawn from the deployed account rather than the
# files. Compare the two: the same arrows mean the account matches the repository's wiring; a
# stack or arrow on only one of them is the first kind of drift.

# %% [markdown]
# ## Repository versus account
#
# The first kind of drift is the simplest: what the repository defines and the account does
# not have, or the other way round. Compare the resource counts per stack:

# %%
pd.concat({"repository": repo.stacks.set_index("stack").n_resources,
           "account": estate.stacks.set_index("stack").n_resources}, axis=1)

# %% [markdown]
# `storefront` is only in the repository (its resources live in the Beanstalk environment's
# stack once an application version is deployed), the nested stack appears under two names, and
# `nightly-batch` is only in the account. Everything else matches.
#
# ## Drift
#
# The second kind is **configuration drift**: someone changed a deployed resource by hand. CloudFormation
# detects it per resource (`DetectStackDrift`), and iacviz reads the result into
# `drift_status` (`IN_SYNC`, `MODIFIED`, `DELETED`, `NOT_CHECKED`). Detection is the only call
# that is not a plain read, so iacviz runs it only with `load_live(..., detect_drift=True)`;
# otherwise it reads the last detection's result. The local demo account has never run a
# detection, so the column is empty here; on a real account, rule W6001 of the review lists
# drifted resources.

# %%
estate.resources.drift_status.value_counts(dropna=False)

# %% [markdown]
# ## What no stack owns
#
# Resources created by hand (or by a script, or by a tool that is not CloudFormation) are
# invisible to every template review. `estate.unmanaged` lists resources of common services
# that no stack reports as its own:

# %% [markdown]
# ## Exercise
#
# How many resources outside any stack carry the tag `owner=clickops`?
#
# Type your answer in the next cell and run it: `workshop.check` tells you whether it is right (with no answer, it prints a hint).

# %%
answer = None  # your answer here, e.g. answer = 1
workshop.check("clickops-resources", answer, estate)

# %% [markdown] tags=["solution"]
# ### Solution
#
# Try the exercise first! Then run the cell below to see the solution.

# %% tags=["solution"]
workshop.show_solution("clickops-resources", estate)
if workshop.is_sample(SOURCE):  # the answer pinned for the sample, not a second computation
    assert workshop.check("clickops-resources", 3, estate)

# %% [markdown]
# Now look at them:

# %%
estate.unmanaged[["service", "type", "id", "managed_by", "tags"]]

# %% [markdown]
# The three `clickops` resources were created by hand (a bucket, a queue, a security group). The
# two other buckets with `managed_by` `none` hold the demo's own deployment artifacts (what `sam
# deploy` or `cdk deploy` would upload): also outside any stack, and a reminder that not every
# unmanaged resource is a mistake. The rows marked `aws` and `service` are nobody's click-ops at
# all: the next section says why.
#
# ## Click-ops, or made by a service?
#
# Not everything outside the stacks was made by hand. AWS services make resources for the
# resources your stacks declare, and remove them again:
#
# * an Auto Scaling group launches instances (each tagged `aws:autoscaling:groupName`);
# * Lambda creates the log group `/aws/lambda/<function>` the first time a function runs,
#   unless the template declares one;
# * a NAT gateway and an interface endpoint get network interfaces in your subnets;
# * Elastic Beanstalk, ECS, EKS and CodeDeploy do the same for environments, tasks, node groups
#   and blue/green deployments.
#
# Nobody should write these into a template: they belong to the resource that made them. AWS
# also keeps defaults in every account (the default VPC, its subnets, the `default` security
# group of each VPC) that no stack could own. iacviz tells the three kinds apart in `managed_by`:
# `none` (click-ops), `service` (with `owner_service`, `owner_stack` and `owner_logical_id`
# naming the resource it was made for) and `aws`.

# %%
unmanaged = estate.unmanaged
made = unmanaged[unmanaged.managed_by == "service"]
workers = made[made.owner_stack.isin(["nightly-batch"]) & made.owner_logical_id.isin(["Workers"])]
workshop.expect(SOURCE, "instances the nightly-batch group launched", len(workers), 2)
workshop.expect(SOURCE, "log groups Lambda made", int(made.owner_service.isin(["Lambda"]).sum()), 1)
unmanaged.managed_by.value_counts()

# %%
made[["type", "id", "owner_service", "owner_stack", "owner_logical_id"]]

# %% [markdown]
# The two instances were launched by the `Workers` group of `nightly-batch`, the log group was
# made by Lambda for that stack's `Starter` function, and the network interfaces belong to the
# NAT gateway of `network` and the queue endpoint of `data`. (The same goes for stacks: a tool
# can make a stack for itself, such as CDK's `CDKToolkit` or a StackSet's `StackSet-...`
# instances; `estate.stacks.created_by` names the tool.)
#
# IaC coverage counts what a service made as covered, and the defaults as neither. The figure
# shows the four kinds apart, per service:

# %%
coverage = iacviz.iac_coverage(estate)
fig = views.coverage_bars(coverage)
workshop.expect(SOURCE, "services with click-ops", set(fig.layout.meta["clickops"]), {"S3", "SQS", "EC2"})
fig

# %% [markdown]
# How to read it: one bar per service; dark green is what a stack owns, light green what a
# service made for a stack (covered too), red is click-ops, grey the AWS defaults. The services
# with click-ops are on top, worst first: S3 (the clicked bucket and the two artifact buckets),
# SQS (the clicked queue) and EC2 (the clicked security group, next to the light-green batch
# workers and interfaces and the grey default network). Logs is fully green: the function's log
# group is light green, not red. Had iacviz called every resource outside a stack click-ops, EC2
# alone would show more than a dozen red resources that nobody could, or should, bring into a
# template. The same numbers, as a table:

# %%
iacviz.iac_coverage(estate)


# %% [markdown]
# ## The same names in another account and region
#
# Organisations deploy the same templates, under the same stack names, into several accounts
# and regions. The demo deploys `network` and `data` again in a second region (`us-west-2`) and
# in a second account (`210987654321`). iacviz enters the other account by assuming a read-only
# role (`sts:AssumeRole`: the one call that is not a read, and it changes nothing), then reads
# every account and region at once. (With a real account this section reads that account only;
# `docs/multi-account.md` shows how to read many.)

# %%
from iacviz.lab.demo_account import DEMO_ROLE, deploy_other_places

if demo is not None:
    deploy_other_places(demo, ESTATE_DIR)
    org = iacviz.load_live(session=demo.session(), accounts=demo.accounts, role_name=DEMO_ROLE,
                           regions=demo.regions, endpoint_url=demo.endpoint_url, progress=False,
                           include=("templates", "resources", "exports"))
else:
    org = estate
network = org.stacks[org.stacks.stack_name == "network"]
network[["stack", "stack_name", "account", "region"]]

# %% [markdown]
# `network` is deployed four times: the same `stack_name`, four places, four **stack keys**
# (`network@ACCOUNT:REGION`). Every frame's `stack` column holds the key, so nothing joins two
# places by mistake; a stack deployed once, like `orders-api`, keeps its plain name.
#
# Exports follow CloudFormation's rule: an export name is unique per account and region, and an
# `Fn::ImportValue` reads only there. Here is the network's VPC export in every place:

# %%
vpc = org.exports[org.exports.export_name == "shop-network-VpcId"]
if workshop.is_sample(SOURCE):  # pinned for the sample: one export per place, no false duplicate
    assert len(vpc) == 4 and "duplicate export" not in set(org.export_problems.kind)
vpc[["export_name", "stack", "importers"]]

# %% [markdown]
# Four exports of one name, each imported by the `data` beside it, and no "duplicate export"
# among the problems. A figure of several places never mixes them either: the import matrix
# below puts each account-region in a block of its own (grey lines between blocks) and names
# it on every row and column.

# %%
views.import_matrix(org.imports, stacks=org.stacks)

# %% [markdown]
# Every import sits inside its own block: no `data` imports the network of another account or
# region. The blast radius of a `network` stays inside its block too, e.g.
# `iacviz.blast_radius(org, "network@210987654321:us-west-2/Vpc")`.

# %% [markdown]
# ## Conclusion
#
# A deployed account is one more source of the same frames, read without writing anything. On top
# of the template views it adds the deployed state, drift, and the resources no stack owns: some
# clicked by hand, some left by tooling, some made by AWS services for the stacks' own resources
# (covered), some AWS's own defaults. The review in notebook 7 turns the click-ops into findings.

# %% [markdown]
# ## Clean up
#
# Stop the local account (it lives as long as this kernel otherwise).

# %%
if demo is not None:
    demo.stop()
