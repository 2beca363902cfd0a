"""``shumao validate``, ``template`` and the groups ``enterprise …``, ``form …``
(``cli/enterprises.py``) and ``filing …`` (``cli/filings.py``) of 企业直报.

Who acts is given as ``--actor NAME --as ROLE:SCOPE`` (``--as park:DSEB05``,
``--as enterprise:9132…``, ``--as admin``); logins come with the web layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from shumao.cli import enterprises, filings
from shumao.cli.collection_common import ActAs, ActorName, AsJson, acting, print_report
from shumao.cli.common import console, fail, store, transaction
from shumao.errors import ShumaoError

if TYPE_CHECKING:  # the domain modules load polars and SQLAlchemy: only when a command runs
    import polars as pl

    from shumao.collection.checks.model import Context


# --- validate and template -----------------------------------------------------------------------


def validate_cmd(
    file: Annotated[Path, typer.Argument(help="要校验的文件 / file to check")],
    form: Annotated[str, typer.Option(help="报表 / form id, e.g. DDS_Q")],
    enterprise: Annotated[
        str | None, typer.Option(help="应为该企业 / expected credit code")
    ] = None,
    period: Annotated[str | None, typer.Option(help="应为该报告期 / expected period")] = None,
    use_store: Annotated[
        bool,
        typer.Option(
            "--store/--no-store",
            help="用库中历史数据做 HB 与跨表校验 / compare with stored history (HB, cross-form)",
        ),
    ] = True,
    max_bytes: Annotated[
        int | None,
        typer.Option(
            help="文件大小上限（字节，默认取 SHUMAO_UPLOAD_MAX_BYTES）/ size limit in bytes "
            "(default: the upload_max_bytes setting)"
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """校验填报文件并列出全部问题 / check a filing file and print every finding."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.checks.engine import validate
    from shumao.collection.forms import get_form
    from shumao.collection.upload import read_file
    from shumao.config import get_settings

    try:
        spec = get_form(form)
        parsed = read_file(file, form=spec, max_bytes=max_bytes or get_settings().upload_max_bytes)
        if parsed.sheet is not None:
            stored = _validate_context(spec, parsed.sheet.frame, enterprise, period, use_store)
            validate(parsed.sheet, spec, context=stored, report=parsed.report)
    except ShumaoError as exc:
        raise fail(str(exc)) from None
    print_report(parsed.report, as_json)
    if not parsed.report.ok:
        raise typer.Exit(2)


def _validate_context(
    spec: Any, frame: pl.DataFrame, enterprise: str | None, period: str | None, use_store: bool
) -> Context:
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection.checks.model import Context
    from shumao.collection.forms import normalise_period
    from shumao.collection.workflow import context

    expected = period and normalise_period(period, spec.frequency)
    if not use_store:
        return Context(expected_uscc=enterprise, expected_period=expected or None)
    found = [
        p
        for p in (
            normalise_period(x, spec.frequency)
            for x in frame["period"].drop_nulls().unique().to_list()
        )
        if p
    ]
    at = expected or (min(found) if found else None)
    usccs = [u.strip().upper() for u in frame["uscc"].drop_nulls().unique().to_list()]
    with store().connect() as conn:
        found_context = context.build_context(conn, spec, uscc=enterprise, period=at, usccs=usccs)
    if not expected:
        found_context.expected_period = None
    return found_context


def template_cmd(
    form: Annotated[str, typer.Argument(help="报表 / form id, e.g. DDS_Q")],
    enterprise: Annotated[str, typer.Option(help="统一社会信用代码 / credit code")],
    period: Annotated[str, typer.Option(help="报告期 / period, e.g. 2024-Q3")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件 / output")] = None,
    actor: ActorName = "cli",
    act_as: ActAs = "admin",
) -> None:
    """生成填报模板 / write the Excel template of a form for an enterprise and period."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.collection import registry
    from shumao.collection.forms import get_form, normalise_period
    from shumao.collection.templates import Identity, template_filename, write_template
    from shumao.collection.workflow import deadlines

    who = acting(actor, act_as)
    with transaction() as conn:
        spec = get_form(form)
        ent = registry.get_enterprise(conn, actor=who, uscc=enterprise)
        norm = normalise_period(period, spec.frequency)
        if norm is None:
            raise fail(f"报告期格式不对 / not a {spec.frequency} period: {period}")
        due = deadlines.due_date(conn, form_id=spec.id, period=norm)
    ident = Identity(ent.uscc, ent.name, norm, due)
    path = write_template(spec, ident, output or Path(template_filename(spec, ident)))
    console.print(f"已生成模板 / template written: {path}")


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_cmd)
    app.command("template")(template_cmd)
    app.add_typer(enterprises.enterprise_app, name="enterprise")
    app.add_typer(enterprises.form_app, name="form")
    app.add_typer(filings.filing_app, name="filing")


def standalone() -> typer.Typer:
    """An app with the data commands and these, for ``python -m shumao.cli.collection``."""
    # deferred: keeps `shumao --help` light (0.4 s CPU, not 3.1 s)
    from shumao.cli import data

    app = typer.Typer(
        name="shumao", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False
    )
    data.register(app)
    register(app)
    return app


if __name__ == "__main__":
    standalone()()
