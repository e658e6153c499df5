"""The create and edit screens every register entity shares: a catalogue form, saved through the records service.

A save is refused with the problems on their fields (nothing is written), and a save from a page loaded before
someone else's save is refused with what they changed, keeping what this editor typed so nothing is lost.
"""

from collections.abc import Callable, Sequence

from flask import abort, flash, redirect, render_template, request
from flask_login import current_user

from ropa.exchange.problems import ImportFailed
from ropa.exchange.schema import BY_NAME
from ropa.forms.catalogue import RecordForm, attach_problems, form_class, initial_data, values_of
from ropa.services.records import StaleRecord, audit_position, choices_for_entity, load_record, save_record

#: (legend, field names) groups; None puts every field in one group.
Fieldsets = Sequence[tuple[str, Sequence[str]]] | None


def edit_record(entity_name: str, key: str | None, *, title: str, done: Callable[[dict], str],
                cancel: str, fieldsets: Fieldsets = None, exclude: tuple[str, ...] = (),
                initial: dict | None = None, check: Callable[[RecordForm], list[str]] | None = None,
                form_type: type[RecordForm] | None = None, template: str = "editing/form.html", **context):
    """Render or save the form for one record (key None: a new one). done(values) gives the URL to go to after
    saving; check(form) returns extra problems (cross-field rules) that stop the save."""
    entity = BY_NAME[entity_name]
    loaded = load_record(entity_name, key) if key is not None else None
    if key is not None and loaded is None:
        abort(404)
    cls = form_type or form_class(entity_name, choices_for_entity(entity_name, exclude), editing=key is not None,
                                  exclude=exclude)
    if request.method == "GET":
        data = initial_data(entity, loaded.record if loaded else (initial or {}))
        form = cls(data=data | {"version": loaded.version if loaded else "",
                                "loaded_audit": loaded.audit_position if loaded else audit_position()})
    else:
        form = cls()
    problems, conflict = [], None
    if form.validate_on_submit():
        values = values_of(form)
        if loaded is not None:  # the key is fixed once created: records are named by it everywhere
            values.update({k: loaded.record[k] for k in entity.key})
        problems = check(form) if check else []
        if not problems and not form.errors:
            try:
                save_record(entity_name, values, actor=current_user.email,
                            expected_version=(int_or_none(form.version.data) or 0) if loaded else None,  # none sent: stale
                            loaded_at=int_or_none(form.loaded_audit.data))
            except StaleRecord as stale:
                conflict = stale.since
                problems = [p.reason[0].upper() + p.reason[1:] for p in stale.problems]
                form.version.data = load_record(entity_name, key).version if key else ""
                form.loaded_audit.data = audit_position()
            except ImportFailed as failed:
                problems = attach_problems(form, failed.problems)
            else:
                flash(f"{entity.label.capitalize()} saved.", "success")
                return redirect(done(values))
    status = 409 if conflict is not None else (422 if request.method == "POST" else 200)
    groups = fieldsets or [("", [f.name for f in entity.fields if f.name not in exclude])]
    return render_template(template, form=form, title=title, fieldsets=groups, problems=problems,
                           conflict=conflict, cancel=cancel, entity=entity, editing=key is not None,
                           **context), status


def int_or_none(text) -> int | None:
    """A hidden form number (version, audit position) as an int, or None when missing or not a number."""
    try:
        return int(text)
    except (TypeError, ValueError):
        return None
