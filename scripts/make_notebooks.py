"""Write the workshop notebooks in ``notebooks/`` from the cells below, without outputs.

The notebooks are generated so that they can be reviewed as Python and regenerated in one
command::

    .venv/bin/python scripts/make_notebooks.py            # write notebooks/*.ipynb
    .venv/bin/python scripts/make_notebooks.py --check    # fail if a notebook differs from this file

Conventions of every notebook: a parameter cell (tag ``parameters``) with ``SOURCE``; markdown
that explains a concept in plain words *before* the code that shows it; thin code (load,
call, show) using only iacviz's public API; key numbers guarded with ``workshop.expect`` so
``pytest --nbval-lax notebooks/`` fails when they change; an exercise whose answer the
learner types (``answer = None``) and ``workshop.check`` judges; a solution cell (tag
``solution``) that computes the answer and asserts it, so CI checks the exercise too.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "notebooks"
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def md(text: str) -> tuple[str, str, list[str]]:
    return ("markdown", text.strip("\n"), [])


def code(text: str, *tags: str) -> tuple[str, str, list[str]]:
    return ("code", text.strip("\n"), list(tags))


def params(source: str, *extra: str) -> tuple[str, str, list[str]]:
    lines = [f'SOURCE = "{source}"  # a folder of templates, a snapshot folder, or "live:profile/region"', *extra]
    return code("\n".join(lines), "parameters")


OPEN = code("""
import iacviz
from iacviz import views, workshop

estate = workshop.open_source(SOURCE)
estate
""")


def exercise(name: str, question: str, example: str) -> list[tuple[str, str, list[str]]]:
    return [
        md(f"## Exercise\n\n{question}\n\nType your answer in the next cell and run it: "
           f"`workshop.check` tells you whether it is right (with no answer, it prints a hint)."),
        code(f'answer = None  # your answer here, e.g. answer = {example}\nworkshop.check("{name}", answer, estate)'),
    ]


def solution(text: str) -> list[tuple[str, str, list[str]]]:
    return [md("### Solution\n\nTry the exercise first! This cell computes the answer from the estate and "
               "checks it (it is what CI runs)."),
            code(text, "solution")]


NOTEBOOKS: dict[str, list[tuple[str, str, list[str]]]] = {}

# ---------------------------------------------------------------------------------------------
NOTEBOOKS["01-getting-started.ipynb"] = [
    md("""
# 1. Getting started: an estate as tables

An **estate** is every CloudFormation stack of an application, wherever it comes from: plain
YAML or JSON templates, SAM, a CDK cloud assembly (`cdk.out`), Elastic Beanstalk
`.ebextensions`, nested stacks, or a live AWS account. iacviz reads all of them into one
`Estate` object: a handful of **tidy pandas DataFrames**, one row per thing (a stack, a
resource, a property, an export...), one column per fact.

In this notebook you will:

1. load the sample estate, **shop** (a storefront, an orders API, workers and the data they share);
2. see which frames an estate has and where each fact lives;
3. ask the first questions with plain pandas (and SQL).

The cell below is the notebook's only parameter. Point `SOURCE` at your own templates later;
for the workshop, keep the sample.
"""),
    params("../data/sample-estate"),
    md("""
Loading reads every template below the folder. The folder's `iacviz-estate.yaml` names the
stacks and gives them their production parameter values (`Env: prod`), as a deployment
pipeline would. Bad input never stops a load: it becomes a row of `estate.errors`.
"""),
    OPEN,
    md("""
## Stacks

`estate.stacks` has one row per stack: where it was read from (`source`, `format`), what it
holds (`n_resources`, after SAM expansion), its `modality` (notebook 2) and, for a nested
stack, its parent.
"""),
    code('estate.stacks[["stack", "format", "source", "modality", "n_resources", "parent_stack"]]'),
    md("""
Ten stacks: six plain templates (one of them SAM), the nested child of `edge` (named by the
loader), two CDK stacks from `cdk.out/` and the `storefront` stack that Elastic Beanstalk
builds from `.ebextensions`. `expect` checks the numbers this notebook talks about: on the
sample estate it fails loudly if they ever change.
"""),
    code("""
workshop.expect(SOURCE, "stacks", len(estate.stacks), 10)
workshop.expect(SOURCE, "formats", estate.stacks.groupby("format")["stack"].apply(sorted).to_dict(),
                {"cdk": ["ShopMonitoring", "ShopWorkers"], "ebextension": ["storefront"],
                 "yaml": ["data", "edge", "edge-WafStack", "iam", "network", "orders-api", "storefront-env"]})
"""),
    md("""
## Resources

`estate.resources` has one row per resource of every stack: logical id, type, the AWS service,
policies, and what iacviz knows about the type (is it `stateful`, its `modality`).
SAM resources are expanded the way CloudFormation expands them, so an
`AWS::Serverless::Function` becomes a function, a role and permissions.
"""),
    code('estate.resources[["stack", "logical_id", "type", "service", "stateful", "modality", "generated_by"]].head(12)'),
    md("""
The templates create 88 resources once SAM is expanded. The `.ebextensions` also reference two
resources that Elastic Beanstalk itself creates in the environment's stack (an auto scaling
group and a load balancer); iacviz lists them too, marked `generated_by = "ElasticBeanstalk"`.
"""),
    code("""
from_templates = estate.resources[estate.resources.generated_by.fillna("") != "ElasticBeanstalk"]
workshop.expect(SOURCE, "resources the templates create", len(from_templates), 88)
estate.resources.groupby("service").size().sort_values(ascending=False).head(10)
"""),
    md("""
## Every frame, every column, documented

Each frame's columns are declared once, with their meaning: `iacviz.schema.describe(name)`
shows them. Here are the frames of an estate and how many rows each has for the sample.
"""),
    code("""
names = ["stacks", "resources", "properties", "parameters", "outputs", "conditions", "mappings",
         "references", "exports", "imports", "errors"]
{name: len(getattr(estate, name)) for name in names}
"""),
    code('iacviz.schema.describe("properties")'),
    md("""
**What is where?**

| question | frame |
|---|---|
| which stacks, from which files | `stacks` |
| which resources, of which type, with which policies | `resources` |
| the value of every property leaf, how it updates, what drives it | `properties` |
| parameter values actually used | `parameters` |
| outputs and their export names | `outputs` |
| every `Ref`, `GetAtt`, `Sub`, `DependsOn`, `ImportValue` | `references` |
| exports and who imports them | `exports`, `imports` (notebook 3) |
| what could not be read | `errors` |

A property leaf is addressed by a JSON pointer: `/properties/VpcConfig/SubnetIds/0`.
"""),
    code("""
props = estate.properties
props[(props["stack"] == "data") & (props.logical_id == "Db")][["path", "value", "update_behavior", "driven_by"]]
"""),
    md("""
## SQL, if you prefer

The same frames are tables for DuckDB: `estate.sql(...)`.
"""),
    code("""
estate.sql(\"\"\"
    select stack, count(*) as resources, sum(case when stateful then 1 else 0 end) as stateful
    from resources group by stack order by resources desc
\"\"\")
"""),
    md("""
## Errors

Nothing in the sample is broken, so `estate.errors` is empty. With your own templates, look
here first: a template that does not parse, an unknown intrinsic function or a parameter
without a value is reported with its file and line, and the rest of the estate still loads.
"""),
    code("""
workshop.expect(SOURCE, "errors", len(estate.errors), 0)
estate.errors
"""),
    *exercise("data-resources", "How many resources does the `data` stack hold?", "12"),
    *solution("""
solution = int((estate.resources["stack"] == "data").sum())
assert workshop.check("data-resources", solution, estate)
workshop.expect(SOURCE, "resources in data", solution, 15)
"""),
]

# ---------------------------------------------------------------------------------------------
NOTEBOOKS["02-persistent-and-ephemeral.ipynb"] = [
    md("""
# 2. Persistent and ephemeral: split stacks by how long things live

Some resources live for years: the network, the database, the keys, the queues that hold
messages, the roles other teams rely on. Others are redeployed with every release: functions,
containers, task definitions, API deployments. We call the first kind **persistent** and the
second **ephemeral** (CloudFormation's own machinery, such as nested-stack resources and
`CDKMetadata`, is **neutral**).

Why care? A stack is the unit CloudFormation updates and rolls back. When a stack mixes both
kinds, every application release also updates the stack that holds the database: one wrong
line in a release can replace or delete data, and a failed release rolls back your data
tier too. Splitting by longevity keeps the risky, stateful part in stacks that change rarely
and are reviewed carefully, and lets the rest move fast.
"""),
    params("../data/sample-estate"),
    OPEN,
    md("""
## Modality of a resource

Each resource type has a modality, from iacviz's table (`iacviz/data/resource_types.csv`):
a VPC, a database, a queue, a log group, an alarm are persistent; a function, an ECS service,
a task definition, a Beanstalk environment are ephemeral. `stateful` says whether the resource
holds data that a replacement or deletion loses. It is a separate question: a security group
is persistent but holds no data.
"""),
    code("""
counts = estate.resources.modality.value_counts()
workshop.expect(SOURCE, "resources by modality", counts.to_dict(), {"persistent": 71, "ephemeral": 16, "neutral": 3})
counts
"""),
    md("""
## Modality of a stack

A stack is **persistent** when all its (non-neutral) resources are persistent, **ephemeral**
when all are ephemeral, and **mixed** otherwise.
"""),
    code("""
st = estate.stacks[["stack", "modality", "n_resources"]].sort_values(["modality", "stack"])
workshop.expect(SOURCE, "persistent stacks", set(st[st.modality == "persistent"]["stack"]),
                {"network", "edge", "edge-WafStack", "data", "iam", "ShopMonitoring"})
st
"""),
    md("""
## The modality map

The bars count each stack's resources by modality: blue persistent, green ephemeral, grey
neutral. A stack that mixes persistent and ephemeral resources gets a ⚠ and a pink diamond;
hover the diamond to see the resources of its minority kind, the candidates to move elsewhere.
Stacks are ordered as on the export map of notebook 3: persistent at the bottom, ephemeral on top.
"""),
    code("views.modality_bars(estate.resources, estate.stacks)"),
    md("""
## Which stacks are mixed, and why?

The shop team meant `network`, `edge`, `data`, `iam` and `ShopMonitoring` to be persistent,
and they are. The four application stacks are mixed. Look at them resource by resource:
"""),
    code("""
res = estate.resources
mixed = estate.stacks[estate.stacks.modality == "mixed"]["stack"]
workshop.expect(SOURCE, "mixed stacks", set(mixed), {"orders-api", "storefront", "storefront-env", "ShopWorkers"})
res[res["stack"].isin(mixed)].groupby(["stack", "modality"])["logical_id"].apply(list).unstack()
"""),
    md("""
Reading the table:

* `orders-api` creates its **log groups** and its **REST API** next to its functions. Log groups
  are persistent (they hold the logs, and this template sets no DeletionPolicy on them), and
  the API's URL is what clients call: deleting or renaming the stack takes both with it.
* `storefront` and `storefront-env` put **queues and alarms** into the Beanstalk environment:
  recreating the environment recreates its queues, and the messages in them are gone.
* `ShopWorkers` owns its **ECS cluster** (persistent) next to the service that runs on it.

"Mixed" is a prompt for a conversation, not a verdict. Log groups created with their
function are a common pattern, while a queue that holds orders deserves a stack of its own.
The review in notebook 7 (rule W1001) lists the same stacks with a suggested fix.

## Large estates: group stacks into services

With hundreds of stacks, one bar per stack is too much. `collapse_by_service=True` groups
stacks by the start of their name (`orders-api` -> `orders`, a nested stack joins its parent);
pass a dict or a function for your own grouping. Every figure that draws stacks accepts it.
"""),
    code("views.modality_bars(estate.resources, estate.stacks, collapse_by_service=True)"),
    md("""
And `views.filter_estate_frames` cuts an estate down to some stacks, types or modalities
(glob patterns allowed) before drawing anything. Here: only the persistent resources that
hold data, by stack.
"""),
    code("""
persistent = views.filter_estate_frames(estate, modality="persistent")["resources"]
persistent[persistent.stateful.fillna(False)].groupby("stack")["logical_id"].apply(list)
"""),
    *exercise("most-persistent", "Which stack holds the most persistent resources?", '"iam"'),
    *solution("""
persistent_counts = estate.resources[estate.resources.modality == "persistent"].groupby("stack").size()
solution = persistent_counts.idxmax()
assert workshop.check("most-persistent", solution, estate)
workshop.expect(SOURCE, "stack with the most persistent resources", solution, "network")
"""),
]

# ---------------------------------------------------------------------------------------------
NOTEBOOKS["03-cross-stack-exports.ipynb"] = [
    md("""
# 3. Cross-stack exports: who depends on whom

Split stacks still need each other's values: the VPC id, the subnets, the queue URL. The
CloudFormation way to share them is an **export**: a stack's output with `Export: Name`, which
other stacks read with `Fn::ImportValue`. Exports create hard rules:

* an export name is unique per account and region;
* the importer can only be deployed **after** the exporter (deployment order);
* an exporting stack **cannot change or delete an export while any stack imports it**;
  CloudFormation refuses the update (the "export in use" trap at the end of this notebook);
* so stacks must be deleted in reverse order: importers first.

In this notebook: which exports exist, who imports them, the export map, the import matrix,
deployment and deletion order, and the trap.
"""),
    params("../data/sample-estate"),
    OPEN,
    md("""
## Exports and imports

`estate.exports` has one row per export, with the stacks importing it. `estate.imports` has
one row per `Fn::ImportValue`: which resource (`source`) and property (`path`) imports what,
and which stack and output export it. iacviz resolves the names as CloudFormation would,
parameters and `!Sub` included; `link` says how sure the match is (`exact`, `inferred` from a
parameter default, `ambiguous`, or `dangling` when no stack exports the name).
"""),
    code('estate.exports[["export_name", "stack", "output", "n_importers", "importers"]]'),
    code("""
workshop.expect(SOURCE, "exports", len(estate.exports), 25)
workshop.expect(SOURCE, "exports imported by some stack", int((estate.exports.n_importers > 0).sum()), 24)
workshop.expect(SOURCE, "kinds of link", set(estate.imports.link), {"exact"})
estate.imports[["stack", "source", "path", "export_name", "export_stack", "link"]].head(8)
"""),
    md("""
## The export map

Each stack is a node, sized by its number of resources and coloured by modality, in rows:
persistent at the bottom, mixed in the middle, ephemeral on top, and within those in
deployment order. Each arrow goes from the exporting stack to an importing stack, one per
export; the thicker the line, the more resources import it. **Hover an arrow** to see the
export and the importing resources, **hover a node** for its counts.

Problems are marked: an export nobody imports puts a red ring around its stack (hover it for
the names), and an import of a name nobody exports starts at a red "dangling" node at the bottom.
"""),
    code("views.export_map(estate.stacks, estate.imports, estate.exports)"),
    md("""
The red ring sits on `data`: `shop-data-DbEndpointAddress` is a leftover. The applications
read the database endpoint from an SSM parameter now. `iacviz.export_problems` lists
such problems in words:
"""),
    code("""
problems = iacviz.export_problems(estate)
workshop.expect(SOURCE, "export problems", problems[["kind", "name"]].values.tolist(),
                [["unused export", "shop-data-DbEndpointAddress"]])
problems
"""),
    md("""
## The import matrix, for large estates

With many stacks, arrows become spaghetti. The import matrix shows the same links as a grid:
a row per importing stack, a column per exporting stack, the number of imports in the cell
(hover for the export names). Both axes are in deployment order, so an estate without cycles
fills only the lower-left triangle, and a cell above the diagonal would be a cycle.
"""),
    code("views.import_matrix(estate.imports)"),
    md("""
The map also has a compact mode for large estates: stacks grouped into services and one
arrow per pair of stacks (its width: the number of exports).
"""),
    code('views.export_map(estate.stacks, estate.imports, estate.exports, collapse_by_service=True, edges="stack")'),
    md("""
## Deployment and deletion order

Imports (and nesting) order the stacks. `deployment_order` gives the **generations** that can
deploy in parallel, dependencies first; `deletion_order` is the reverse. CloudFormation
refuses to delete a stack while another imports from it.
"""),
    code("""
order = iacviz.deployment_order(estate)
workshop.expect(SOURCE, "deployment order", order,
                [["edge", "network"], ["data", "edge-WafStack"], ["ShopMonitoring", "iam"],
                 ["ShopWorkers", "orders-api", "storefront", "storefront-env"]])
iacviz.deletion_order(estate)
"""),
    md("""
## The "export in use" trap

Release 2 of the shop rewords the description of the network's `AppSecurityGroup`. It looks
harmless, but `GroupDescription` is a *create-only* property: CloudFormation has to create a new
security group, with a new id. That id is exported as `shop-network-AppSecurityGroupId`, and
three stacks import it. An export cannot change while it is imported, so the whole `network`
update fails and rolls back:

    Export shop-network-AppSecurityGroupId cannot be updated as it is in use by orders-api, storefront-env and ShopWorkers

A change set does not warn you: it lists resources, not exports. The join of exports to
importers does:
"""),
    code("""
in_use = estate.exports.set_index("export_name").loc["shop-network-AppSecurityGroupId", "importers"]
workshop.expect(SOURCE, "importers of the app security group id", set(in_use),
                {"orders-api", "storefront-env", "ShopWorkers"})
blast = iacviz.blast_radius(estate, "network/AppSecurityGroup", "replace")
blast[blast.blocked != ""][["stack", "logical_id", "impact", "blocked"]]
"""),
    md("""
The way out is a two-step migration: export a new group next to the old one, move the
importers to it, then retire the old export. Notebook 4 draws this blast radius.

## Explore

Pick a stack: the map of its direct neighbours and its exports with their importers. (In a
live notebook the figure follows the dropdown; when run headless it just shows the first view.)
"""),
    code("""
from iacviz.views.widgets import export_explorer

export_explorer(estate, stack="network")
"""),
    *exercise("private-subnet-importers", "How many stacks import `shop-network-PrivateSubnetIds`?", "2"),
    *solution("""
solution = int(estate.exports.set_index("export_name").n_importers["shop-network-PrivateSubnetIds"])
assert workshop.check("private-subnet-importers", solution, estate)
workshop.expect(SOURCE, "importers of shop-network-PrivateSubnetIds", solution, 4)
"""),
]

# ---------------------------------------------------------------------------------------------
NOTEBOOKS["04-blast-radius.ipynb"] = [
    md("""
# 4. Blast radius: what one change reaches

Before you change a resource, ask: **what else changes with it?** CloudFormation answers only
for one stack at a time, in a change set, and only once you have made it. The blast radius
follows every `Ref`, `GetAtt`, `Sub` and `ImportValue` backwards from the changed resource,
across stacks, and says for each resource reached:

* **impact**: `replaced` (a new physical resource: new id, data gone unless kept),
  `conditional` (may be replaced), `updated` (changed in place), `broken` (what it references
  is gone) or `deleted`;
* **depth** and **path**: how many references away, and through which;
* **stateful** / **protected**: does it hold data, and does its `UpdateReplacePolicy` (for a
  replacement) or `DeletionPolicy` (for a deletion) keep a copy;
* **blocked**: why CloudFormation would refuse the change, for instance an export in use.

The rule of thumb behind it: a resource that is *replaced* gets a new id, so everything that
reads its id is changed too, and if the property reading it is create-only, that resource is
replaced as well. That is how one edit ripples through a network.
"""),
    params("../data/sample-estate"),
    OPEN,
    md("""
## Replacing the app security group

The same change as in notebook 3: `network/AppSecurityGroup` is replaced.
"""),
    code("""
blast = iacviz.blast_radius(estate, "network/AppSecurityGroup", "replace")
blast[["stack", "logical_id", "type", "depth", "impact", "blocked"]]
"""),
    code("""
replaced = sorted(blast[blast.impact == "replaced"].logical_id)
workshop.expect(SOURCE, "replaced", replaced, ["AppIngressFromLoadBalancer", "AppSecurityGroup", "DbIngressFromApp"])
workshop.expect(SOURCE, "stacks reached", set(blast["stack"]), {"network", "orders-api", "storefront-env", "ShopWorkers"})
blocked = blast[(blast.blocked != "") & (blast.kind == "resource")]
workshop.expect(SOURCE, "blocked resources", set(zip(blocked["stack"], blocked.logical_id)),
                {("orders-api", "CreateOrderFunction"), ("orders-api", "GetOrderFunction"),
                 ("orders-api", "ProcessOrderFunction"), ("storefront-env", "StorefrontEnvironment"),
                 ("ShopWorkers", "ServiceD69D759B")})
"""),
    md("""
Inside `network`, the two ingress rules are replaced: their `GroupId` / `SourceSecurityGroupId`
is create-only and reads the group's id. Across stacks, the functions, the ECS service and
the Beanstalk environment would be *updated* (their security-group lists can change in place),
but every row beyond the export is **blocked**: the export is in use.

## The sunburst

From the centre out: stack, resource type, resource. Colour is the impact: **red** replaced,
**orange** conditional, **gold** updated, **purple** broken, **black** deleted. A thick
**dark-red outline** means blocked. A stack or type ring takes the colour of its worst
resource, and ▶ marks the resource you changed. Click a stack to zoom in; hover for the path.
"""),
    code("views.blast_sunburst(blast)"),
    md("""
## The same on the resource graph

Here the change flows along the arrows, from a resource to what references it. Affected
resources have their impact colour, and their unaffected neighbours in the same stack are grey,
for context. Each stack's resources cluster around its name. The layout is seeded, so the
picture is the same every time you run the notebook.
"""),
    code("views.blast_graph(estate, blast)"),
    md("""
## Deleting a queue

Deleting is worse than replacing: whatever references the deleted thing is **broken**.
Deleting `data/OrdersQueue` would break the monitoring alarms, the workers' task definition,
the IAM policy and the function's event source. CloudFormation would refuse, because its
URL, ARN and name are exported and imported.
"""),
    code("""
deletion = iacviz.blast_radius(estate, "data/OrdersQueue", "delete")
views.blast_sunburst(deletion)
"""),
    md("""
## Protected or not?

`protected` tells whether the policy that applies to the impact keeps the data. The database
is the classic case: `DeletionPolicy: Snapshot` protects it when it is **deleted**, but without
an `UpdateReplacePolicy` a **replacement** deletes the old instance with no snapshot at all
(cfn-lint warns about this too, W3011).
"""),
    code("""
db_replaced = iacviz.blast_radius(estate, "data/Db", "replace").iloc[0]
db_deleted = iacviz.blast_radius(estate, "data/Db", "delete").iloc[0]
workshop.expect(SOURCE, "Db protected when replaced / deleted",
                (bool(db_replaced.protected), bool(db_deleted.protected)), (False, True))
db_replaced[["stack", "logical_id", "impact", "stateful", "protected"]]
"""),
    md("""
## Explore

Pick any resource, or an export (`export:...`), and a change. The sunburst follows (in a
live notebook; run headless, it shows the first choice).
"""),
    code("""
from iacviz.views.widgets import blast_explorer

blast_explorer(estate, target="network/AppSecurityGroup")
"""),
    *exercise("orders-queue-deletion",
              "If `data/OrdersQueue` were deleted, how many **other** stacks (not `data`) would the change reach?",
              "3"),
    *solution("""
solution = int(deletion["stack"][deletion["stack"] != "data"].nunique())
assert workshop.check("orders-queue-deletion", solution, estate)
workshop.expect(SOURCE, "other stacks reached by deleting the orders queue", solution, 4)
"""),
]

# ---------------------------------------------------------------------------------------------
NOTEBOOKS["05-replacement-and-change-preview.ipynb"] = [
    md("""
# 5. Replacement and change preview

Every property of a resource type updates in one of three ways (the resource provider schemas
say which):

* **in place**: the resource is changed and keeps its identity (a function's memory size);
* **replace**: the property is *create-only*, so CloudFormation creates a new resource and
  deletes the old one (a database's `DBName`, a security group's description);
* **conditional**: replaced only in some cases.

A replacement is harmless for a function and a disaster for a database: the new one is
empty. This notebook shows which properties of the estate replace, which of them are driven
from *outside* the resource (parameters, mappings, imports: a change nobody sees in the
resource's own lines), and then previews the change set of a real release, **release-2**.
"""),
    params("../data/sample-estate", 'AFTER = "../data/scenarios/release-2"  # the estate after the release'),
    OPEN,
    md("""
## Update behaviour by type

Rows are the resource types of the estate, columns the properties they set; red means
"changing it replaces the resource", orange "may replace", green "in place", grey "unknown".
The types with the most create-only properties come first (the top 25 here).
"""),
    code("views.update_behavior_heatmap(estate.properties, estate.resources, max_rows=25)"),
    md("""
## Replacement-prone properties

A create-only property written as a literal replaces its resource only when someone edits it.
One whose value comes from a **parameter**, a mapping lookup keyed by a parameter, or an
**import** can replace the resource in a release where nobody touched it. Below, those driven
by parameters and imports. A red `stateful` cell means that the resource holds data and that
no `UpdateReplacePolicy` keeps it.
"""),
    code("""
prone = iacviz.replacement_prone(estate)
external = prone[prone.drivers.str.contains("parameter|import")]
workshop.expect(SOURCE, "Db.DBName is replacement-prone",
                bool(((external.logical_id == "Db") & (external.path == "/properties/DBName")).any()), True)
views.replacement_table(external)
"""),
    md("""
## Protection: DeletionPolicy and UpdateReplacePolicy

Two attributes decide what happens to the *old* physical resource:

* `DeletionPolicy` applies when the resource is removed from the template or the stack is deleted;
* `UpdateReplacePolicy` applies when the resource is **replaced**; its default is `Delete`.

`Retain` keeps the old resource, `Snapshot` (databases, volumes) takes a final snapshot. A
stateful resource needs **both** to be safe:
"""),
    code("""
res = estate.resources
stateful = res[res.stateful.fillna(False)][["stack", "logical_id", "type", "deletion_policy", "update_replace_policy"]]
workshop.expect(SOURCE, "stateful resources with both policies",
                set(stateful.dropna(subset=["deletion_policy", "update_replace_policy"]).logical_id),
                {"DataKey", "AssetsBucket", "WafLogGroup", "WorkersLogGroup3C61F013"})
stateful
"""),
    md("""
## Preview a release: release-2

`data/scenarios/release-2` is a full copy of the estate with three small edits, each of which
looks harmless in review:

1. **data**: the `EnvConfig` mapping's `DbName` changes from `shop` to `catalogue`. `Db` reads it
   with `!FindInMap`, and `DBName` is create-only, so the database is **replaced**. With no
   `UpdateReplacePolicy`, the old instance is deleted without a snapshot: **data lost**.
2. **network**: the `AppSecurityGroup` description is reworded, so the group is **replaced**, which
   CloudFormation **refuses**: its id is exported and in use by three stacks.
3. **orders-api**: `CreateOrderFunction` gets more memory and time, **updated in place**.

`plan_changes` predicts the change sets CloudFormation would compute, offline:
"""),
    code("""
after = workshop.open_source(AFTER)
plan = iacviz.plan_changes(estate, after)
views.change_set_table(plan)
"""),
    code("""
resources = plan[plan.kind == "resource"].set_index(["stack", "logical_id"])
workshop.expect(SOURCE, "replacement of the three edited resources",
                [resources.replacement.get(k) for k in [("data", "Db"), ("network", "AppSecurityGroup"),
                                                        ("orders-api", "CreateOrderFunction")]],
                ["True", "True", "False"])
workshop.expect(SOURCE, "data lost", sorted(f"{s}/{r}" for s, r in resources[resources.data_loss.fillna(False)].index),
                ["data/Db"])
workshop.expect(SOURCE, "blocked", sorted(f"{s}/{r}" for s, r in plan[plan.blocked.notna()][["stack", "logical_id"]].values),
                ["network/AppSecurityGroup", "network/AppSecurityGroupId"])
"""),
    md("""
Read the table row by row:

* `data/Db`: **Replacement True** and **DATA LOST**. `DbEndpointParameter` follows (a new
  endpoint is written to SSM), and so does the unused export `shop-data-DbEndpointAddress`.
  Had any stack imported it, the update would have been refused, which would have saved the data.
* `network/AppSecurityGroup`: **Replacement True** and **blocked**. The two ingress rules that
  reference it would follow it: their `GroupId` / `SourceSecurityGroupId` is create-only and
  would hold the new group's id (CloudFormation's own change set marks such rows *Conditional*,
  because the new id is only known during the update). The update fails and rolls back, all of them.
* `orders-api/CreateOrderFunction`: **Replacement False**, an in-place update.

In a pipeline that deploys in dependency order, `network` fails first and stops the release,
and the database risk waits for the next one. The fix is one line in `data.yaml`:
`UpdateReplacePolicy: Snapshot` on `Db`, or revert the mapping.
"""),
    *exercise("release-2-data-loss", 'Which resource loses its data in release-2? Answer `"stack/LogicalId"`.',
              '"network/Vpc"'),
    *solution("""
lost = plan[plan.data_loss.fillna(False)]
solution = [f"{s}/{r}" for s, r in zip(lost["stack"], lost.logical_id)]
assert workshop.check("release-2-data-loss", solution, estate)
workshop.expect(SOURCE, "resource losing data in release-2", solution, ["data/Db"])
"""),
]

# ---------------------------------------------------------------------------------------------
NOTEBOOKS["06-live-account.ipynb"] = [
    md("""
# 6. A live account: the same views, plus drift and what no stack owns

Templates say what *should* exist; an account says what *does*. iacviz reads a deployed
account **read-only** (every AWS call it makes is a Describe/List/Get, enforced in code; no
secret or data is ever read) into the same kind of `Estate`, with extra columns (stack
status, last update, drift) and extra frames (resources outside any stack).

So that the workshop needs no AWS account, this notebook starts a **local demo account** by
default: a moto server on 127.0.0.1 with fake credentials, into which the sample estate is
deployed through the real CloudFormation API, plus a few resources "clicked" by hand. Nothing
leaves your machine. To look at a real account instead, set `SOURCE = "live:PROFILE/REGION"`
(a read-only profile is enough).
"""),
    code("""
SOURCE = "demo"  # "demo": a local moto account with the sample estate deployed; or "live:profile/region"
ESTATE_DIR = "../data/sample-estate"  # what the demo account deploys (and what we compare with)
""", "parameters"),
    code("""
import pandas as pd

import iacviz
from iacviz import views, workshop
from iacviz.sources.demo_account import start_demo_account

demo = start_demo_account(ESTATE_DIR) if SOURCE == "demo" else None
estate = workshop.open_source(demo.endpoint_url if demo else SOURCE)
estate
"""),
    md("""
## Deployed stacks

The live columns are filled: `stack_status`, `last_updated`, `account`, `region`. The
Beanstalk `.ebextensions` are not a stack of their own (Elastic Beanstalk merges them into
the environment's stack), and the nested WAF stack has the name CloudFormation gave it, with a
random suffix.
"""),
    code("""
workshop.expect(SOURCE, "deployed stacks", len(estate.stacks), 9)
estate.stacks[["stack", "stack_status", "last_updated", "modality", "n_resources", "parent_stack"]]
"""),
    md("""
## The same views

Everything from the earlier notebooks works on a live estate, because it is the same kind of
object. Here is the export map of the account, built from the deployed templates:
"""),
    code("""
workshop.expect(SOURCE, "exports in the account", len(estate.exports), 25)
views.export_map(estate.stacks, estate.imports, estate.exports)
"""),
    md("""
## Repository versus account

The first kind of drift is the simplest: what the repository defines and the account does
not have, or the other way round. Compare the resource counts per stack:
"""),
    code("""
repo = workshop.open_source(ESTATE_DIR)
pd.concat({"repository": repo.stacks.set_index("stack").n_resources,
           "account": estate.stacks.set_index("stack").n_resources}, axis=1)
"""),
    md("""
`storefront` is only in the repository (its resources live in the Beanstalk environment's
stack once an application version is deployed), and the nested stack appears under two names.
Everything else matches.

## Drift

The second kind is **configuration drift**: someone changed a deployed resource by hand. CloudFormation
detects it per resource (`DetectStackDrift`), and iacviz reads the result into
`drift_status` (`IN_SYNC`, `MODIFIED`, `DELETED`, `NOT_CHECKED`). Detection is the only call
that is not a plain read, so iacviz runs it only with `load_live(..., detect_drift=True)`;
otherwise it reads the last detection's result. The local demo account has never run a
detection, so the column is empty here; on a real account, rule W6001 of the review lists
drifted resources.
"""),
    code("estate.resources.drift_status.value_counts(dropna=False)"),
    md("""
## What no stack owns

Resources created by hand (or by a script, or by a tool that is not CloudFormation) are
invisible to every template review. `estate.unmanaged` lists resources of common services
that no stack reports as its own:
"""),
    code("estate.unmanaged[[\"service\", \"type\", \"id\", \"tags\"]]"),
    md("""
The three `clickops` resources were created by hand (a bucket, a queue, a security group). The
two other buckets hold the demo's own deployment artifacts (what `sam deploy` or `cdk deploy`
would upload): also outside any stack, and a reminder that not every unmanaged resource is a
mistake. Per service, the share of resources that stacks manage:
"""),
    code("""
from iacviz.analysis.coverage import iac_coverage

iac_coverage(estate)
"""),
    *exercise("clickops-resources", "How many resources outside any stack carry the tag `owner=clickops`?", "1"),
    *solution("""
solution = sum(isinstance(tags, dict) and tags.get("owner") == "clickops" for tags in estate.unmanaged.tags)
assert workshop.check("clickops-resources", solution, estate)
workshop.expect(SOURCE, "clickops resources", solution, 3)
"""),
    md("## Clean up\n\nStop the local account (it lives as long as this kernel otherwise)."),
    code("""
if demo is not None:
    demo.stop()
"""),
]

# ---------------------------------------------------------------------------------------------
NOTEBOOKS["07-architecture-review.ipynb"] = [
    md("""
# 7. Architecture review: the findings, for a meeting

Everything so far, summarised as **findings**: one row per thing worth discussing, from rules
that each check one practice (mixed lifecycles, exports in heavy use, stateful resources
without policies, create-only properties driven from outside, custom names on replaceable
resources, drift, unmanaged resources...). Each finding has a severity (`error`, `warning`,
`info`), the stack and resource, a message naming them, and a **fix**.

The goal of a review meeting is not to read all of them. It is to agree on the few that matter:
which stack, which risk, who fixes it.
"""),
    params("../data/sample-estate"),
    OPEN,
    code("""
findings = iacviz.review(estate)
findings.groupby(["severity", "rule_id", "title"]).size().rename("findings").reset_index()
"""),
    code("""
by_rule = findings.groupby("rule_id").size().to_dict()
workshop.expect(SOURCE, "errors", int((findings.severity == "error").sum()), 0)
workshop.expect(SOURCE, "mixed stacks (W1001)", by_rule.get("W1001", 0), 4)
workshop.expect(SOURCE, "unused exports (I2003)", by_rule.get("I2003", 0), 1)
workshop.expect(SOURCE, "exports in heavy use (W2001)", by_rule.get("W2001", 0), 3)
"""),
    md("""
## Where are the findings?

Findings per stack and severity: the stacks at the top of this chart are where the meeting
should spend its time.
"""),
    code("""
import plotly.express as px

per_stack = findings.groupby(["stack", "severity"]).size().rename("findings").reset_index()
px.bar(per_stack, y="stack", x="findings", color="severity", orientation="h",
       color_discrete_map={"error": "#d62728", "warning": "#ff7f0e", "info": "#1f77b4"},
       category_orders={"severity": ["error", "warning", "info"]},
       title="Findings per stack").update_yaxes(categoryorder="total ascending")
"""),
    md("""
## The risks that lose data

Sort by what hurts most. Stateful resources without `Retain`/`Snapshot` policies (W3001) lose
their data on a deletion or replacement; the database (notebook 5) is among them.
"""),
    code("""
findings[findings.rule_id == "W3001"][["stack", "logical_id", "message", "fix"]]
"""),
    md("""
## The risks that block releases

Exports imported by many stacks (W2001) freeze their values: any replacement of what they
point to is refused until every importer has moved (notebook 3).
"""),
    code("""
findings[findings.rule_id == "W2001"][["stack", "logical_id", "message", "fix"]]
"""),
    md("""
## Take it to the meeting

The same overview as one self-contained HTML file (figures, findings, fixes): it opens
offline and can be attached to a ticket or a CI run. Here it is written to a temporary
folder; from a shell: `iacviz review data/sample-estate -o report.html`.
"""),
    code("""
import tempfile
from pathlib import Path

report = iacviz.write_report(estate, Path(tempfile.mkdtemp()) / "review.html")
print(report, f"{report.stat().st_size // 1024} KiB")
"""),
    *exercise("stateful-without-policies",
              "How many findings of rule **W3001** (stateful resource without Retain or Snapshot policies) are there?",
              "4"),
    *solution("""
solution = int((findings.rule_id == "W3001").sum())
assert workshop.check("stateful-without-policies", solution, estate)
workshop.expect(SOURCE, "W3001 findings", solution, 9)
"""),
]


def build(name: str, cells: list[tuple[str, str, list[str]]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    out = []
    for i, (kind, text, tags) in enumerate(cells):
        cell = nbformat.v4.new_markdown_cell(text) if kind == "markdown" else nbformat.v4.new_code_cell(text)
        cell.id = f"{Path(name).stem[:2]}-{i:02d}"  # stable ids: regenerating changes nothing
        if tags:
            cell.metadata["tags"] = tags
        out.append(cell)
    nb.cells = out
    return nb


def render(name: str) -> str:
    return nbformat.writes(build(name, NOTEBOOKS[name])) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a committed notebook differs")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    stale = []
    for name in NOTEBOOKS:
        path = OUT / name
        text = render(name)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("stale notebooks (run scripts/make_notebooks.py):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
