"""Importing a register file over the API: the same reading and the same all-or-nothing import as the web's import
page, for scripts. A dry run unless asked to apply (?confirm=1), so a script sees what would change first."""

from flask import abort, jsonify, request

from ropa.api import bp
from ropa.api.auth import api_user, token_required
from ropa.enums import Role
from ropa.services import imports

YES = ("1", "true", "yes", "on")
NO_FILE = ("Send the file as the request body with ?filename=NAME (for example register.xlsx, activities.csv, "
           "register.zip or dump.json), or as the multipart field 'file'")


@bp.post("/imports")
@token_required(Role.ADMIN, Role.DPO)
def import_register():
    """Read one file (ICO workbook, our CSV, a zip of them, or a JSON dump) and report what the import does: with
    ?confirm=1 it is applied, all or nothing, as one audited import; otherwise nothing is written."""
    data, name = _sent_file()
    limit = imports.setting("ROPA_IMPORT_MAX_BYTES", imports.DEFAULT_UPLOAD_BYTES)
    if len(data) > limit:
        abort(413, f"The file is {len(data):,} bytes; the limit is {limit:,}: split it into smaller files")
    confirm = (request.args.get("confirm") or request.form.get("confirm") or "").strip().lower() in YES
    result = imports.run_import(data, name, actor=imports.import_actor(api_user().email, name, via="API"),
                                dry_run=not confirm)
    body = {"file": name, "dry_run": not confirm, "applied": confirm and result["ok"],
            "summary": {k["name"]: {n: k[n] for n in ("created", "updated", "unchanged")} for k in result["kinds"]},
            "lines": result["lines"], "audit_entries": result["audit_entries"],
            "problems": result["problems"], "remarks": result["remarks"]}
    if result["refused"]:
        return jsonify(error=f"{name} was not imported: " + "; ".join(p["reason"] for p in result["problems"]),
                       **body), 400
    if not result["ok"]:
        return jsonify(error=f"Nothing was written: {name} has {len(result['problems'])} problem(s), each listed "
                             "in problems; correct them and send the file again", **body), 422
    return jsonify(body)


def _sent_file() -> tuple[bytes, str]:
    sent = request.files.get("file")
    if sent is not None:
        return sent.read(), sent.filename or request.args.get("filename") or "upload"
    name = (request.args.get("filename") or "").strip()
    data = request.get_data(cache=False)
    if not name or not data:
        abort(400, NO_FILE)
    return data, name
