"""``shumao bases``: national digital service export bases — registry, application check,
re-review, de-duplicated enterprise counts and the linkage review queue.

Who acts is ``--actor NAME --as ROLE[:SCOPE]`` (default ``--as ministry``), as in the
collection commands: ``--as park:DSEB05`` sees and prepares its own base only.
"""

from __future__ import annotations

import typer

from shumao.cli.bases import assess, counting, registry

app = typer.Typer(
    help="国家数字服务出口基地 / national digital service export bases", no_args_is_help=True
)
app.command("list")(registry.list_bases)
app.command("evaluate")(assess.evaluate_cmd)
app.command("rereview")(assess.rereview_cmd)
app.command("import-roster")(counting.import_roster)
app.command("count-enterprises")(counting.count_enterprises)
app.command("link-review")(counting.link_review_cmd)
app.command("status")(registry.status_cmd)
app.command("add")(registry.add_cmd)
app.command("publicity")(registry.publicity_cmd)
app.command("ranking")(assess.ranking_cmd)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="bases")


def register_demo(demo_app: typer.Typer) -> None:
    demo_app.command("bases")(registry.demo_bases)
