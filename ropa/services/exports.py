"""Writing the register out: the activity CSV, every entity as CSV, the JSON dump."""

import io
from pathlib import Path

from ropa.exchange.csvio import write_csv
from ropa.exchange.jsonio import dump_text
from ropa.exchange.schema import BY_NAME, ENTITIES
from ropa.services.register import activity_csv_rows, dump_records, dump_register
from ropa.services.snapshots import register_as_at


def activity_csv() -> str:
    """The activity register, one row per processing activity (the shape of data/seed.csv)."""
    out = io.StringIO()
    write_csv(BY_NAME["activities"], activity_csv_rows(), out)
    return out.getvalue()


def entity_csv(name: str) -> str:
    """One entity's CSV (organisations, services, transfers, ...)."""
    if name == "activities":
        return activity_csv()
    out = io.StringIO()
    write_csv(BY_NAME[name], dump_records(BY_NAME[name], display=True), out)
    return out.getvalue()


def json_dump() -> str:
    """The lossless dump of the whole register."""
    return dump_text(dump_register())


def render(fmt: str, as_at: str | None = None, since: str | None = None, **picture) -> str | bytes:
    """One export as text or bytes: csv (activity register), json, graphml, graph-json, svg (picture filters);
    as_at names a snapshot to export instead of the register as it is now; since (the ICO workbook only) a
    baseline snapshot whose changes it lists."""
    _only_ico_since(fmt, since)
    if as_at and fmt == "csv":
        raise ValueError("CSV is written from the live register; use --format json (or ico) for a snapshot")
    if fmt == "csv":
        return activity_csv()
    if fmt == "ico-csv":
        from ropa.ico.export import template_csv
        return template_csv(as_at)
    if fmt == "ico":
        from ropa.ico.export import write_ico
        out = io.BytesIO()
        write_ico(out, generated_by=picture.pop("generated_by", "ropa"), as_at=as_at, since=since)
        return out.getvalue()
    if fmt == "json":
        return _json(as_at)
    if fmt == "dspt":
        from ropa.services.dspt import write_pack
        out = io.BytesIO()
        write_pack(out, as_at=as_at, generated_by=picture.pop("generated_by", "ropa"))
        return out.getvalue()
    if fmt == "notice":  # on standard output: Markdown (a file's extension chooses, in export_path)
        from ropa.services.notice import notice_document
        return notice_document("markdown", as_at)
    from ropa.graph import build_graph
    from ropa.graph.formats import graphml, node_link_json

    graph = build_graph(register_as_at(as_at)[0])
    if fmt == "graphml":
        return graphml(graph)
    if fmt == "graph-json":
        return node_link_json(graph)
    if fmt == "svg":
        return _picture(graph, **picture)
    raise ValueError(f"unknown export format {fmt!r}")


def _json(as_at: str | None) -> str:
    if not as_at:
        return json_dump()
    return dump_text(register_as_at(as_at)[0])


def _picture(graph, service: str | None = None, organisation: str | None = None, transfers: bool = False,
             generated_by: str = "") -> str:
    from ropa.graph.picture import render_svg, subgraph_for

    title = service or (f"What depends on {organisation}" if organisation else "") or \
        ("Routes out of the UK" if transfers else "The register")
    if service or organisation or transfers:
        graph = subgraph_for(graph, service=service, organisation=organisation, transfers_only=transfers)
    return render_svg(graph, title=title)


def _only_ico_since(fmt: str, since: str | None) -> None:
    if since and fmt != "ico":
        raise ValueError("--since adds the Changes since sheet to the ICO workbook: use it with --format ico "
                         "(ropa diff compares two snapshots in other formats)")


def export_path(path: Path, fmt: str, as_at: str | None = None, since: str | None = None, **picture) -> list[Path]:
    """Write an export to a file (or, for CSV and a folder, one file per entity); return what was written."""
    _only_ico_since(fmt, since)
    if fmt == "csv" and path.is_dir() and not as_at:
        return [_write(path / f"{e.name}.csv", entity_csv(e.name)) for e in ENTITIES]
    if fmt == "ico":  # streamed straight to the file: a large register never sits in memory as one workbook
        from ropa.ico.export import write_ico
        temporary = path.with_name(path.name + ".part")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            write_ico(str(temporary), generated_by=picture.pop("generated_by", "ropa"), as_at=as_at, since=since)
        except BaseException:
            temporary.unlink(missing_ok=True)  # a disk filled or a write refused: no half workbook left behind
            raise
        temporary.replace(path)
        return [path]
    if fmt == "dspt":  # the DSPT evidence pack: a zip of the workbook, the notice, CSVs and an index
        from ropa.services.dspt import write_pack
        temporary = path.with_name(path.name + ".part")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            write_pack(str(temporary), as_at=as_at, generated_by=picture.pop("generated_by", "ropa"))
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        temporary.replace(path)
        return [path]
    if fmt == "notice":
        from ropa.services.notice import format_for, notice_document
        return [_write(path, notice_document(format_for(path), as_at))]
    return [_write(path, render(fmt, as_at, **picture))]


def _write(path: Path, content: str | bytes) -> Path:
    # Written next to the target then renamed, so a failed export never leaves half a file behind.
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    try:
        if isinstance(content, bytes):
            temporary.write_bytes(content)
        else:
            with open(temporary, "w", encoding="utf-8", newline="") as handle:
                handle.write(content)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(path)
    return path
