"""``comercio indicators``: compute indicators from the command line (any engine)."""

from __future__ import annotations

import json

import typer

from comercio.cli._common import Engine, OutputFormat, emit, settings
from comercio.errors import ConfigError

app = typer.Typer(help="Compute indicators (DuckDB by default, or Spark) and print facts.")


@app.command("regional")
def regional(
    through: str = typer.Option(None, help="last month, YYYY-MM (default: latest loaded)"),
    grouping: str = typer.Option("mincetur", help="macroregion grouping"),
    record_definition: str = typer.Option("annual", help="annual or same-window"),
    engine: Engine = typer.Option(
        None,
        help="duckdb or spark (default COMERCIO_ENGINE or duckdb); Spark runs on "
        "COMERCIO_SPARK_MASTER or COMERCIO_SPARK_REMOTE",
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json"),
) -> None:
    """Every figure of the regional report as facts, with dataset and vintage."""
    from comercio.indicators import regional_facts
    from comercio.warehouse import Warehouse

    _check_choice("record-definition", record_definition, ("annual", "same-window"))
    s = settings(engine)
    rf = regional_facts(
        Warehouse(s, read_only=True), through, grouping=grouping, record_definition=record_definition
    )
    if fmt is OutputFormat.json:
        print(rf.facts.to_json(through=rf.through.isoformat(), engine=s.engine, omitted=rf.omitted))
        return
    rows = [
        {
            "id": f.id,
            "value": json.dumps(f.value) if isinstance(f.value, list) else f.value,
            "unit": f.unit,
            "window": f"{f.window['start'][:7]}…{f.window['end'][:7]}",
            "dataset": f.dataset,
            "vintage": ", ".join(f.vintages),
        }
        for f in rf.facts
    ]
    emit(rows, fmt, title=f"regional facts through {rf.through:%Y-%m} ({s.engine})")
    for section, reason in rf.omitted.items():
        typer.echo(f"omitted {section}: {reason}", err=True)


@app.command("compute")
def compute(
    window: str = typer.Option(..., help="ytd:YYYY-MM, rolling12:YYYY-MM, month:YYYY-MM, year:YYYY"),
    grouping: str = typer.Option("national", help="dimension[:scheme], e.g. macroregion:mincetur"),
    flow: str = typer.Option("X", help="X exports or M imports"),
    basket: str = typer.Option(None, help="product basket, e.g. agro"),
    engine: Engine = typer.Option(None, help="duckdb or spark"),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json"),
) -> None:
    """Value, growth, share, contribution and rank by member for one window."""
    import comercio
    from comercio.warehouse import Warehouse

    _check_choice("flow", flow.upper(), ("X", "M"))
    if basket is not None:
        from comercio import reference

        name, _, version = basket.partition("@")
        _check_choice("basket", name, tuple(reference.basket_names()))
        if version:
            rows = reference.load("baskets").to_pylist()
            _check_choice(
                "basket version", version, tuple(sorted({r["version"] for r in rows if r["basket"] == name}))
            )
    s = settings(engine)
    df = comercio.indicator(
        Warehouse(s, read_only=True), window=window, grouping=grouping, flow=flow, basket=basket
    )
    emit(
        [{str(k): v for k, v in r.items()} for r in df.to_dict("records")],
        fmt,
        title=f"{window} by {grouping} — {df.attrs['dataset']}",
    )


def _check_choice(option: str, value: str, known: tuple[str, ...]) -> None:
    """Refuse a value the option does not know, naming the ones it does (never silently ignored)."""
    if value not in known:
        raise ConfigError(f"unknown {option} {value!r}; choose one of {', '.join(known)}", field=option)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="indicators")
