"""Edit forms built from the field catalogue, so every field of every entity can be created and edited on a page
with the same vocabulary, labels and validation the importer uses.

A form holds dump-form values (keys for references, ISO dates, True/False/None); the service decides whether they
are acceptable, and its problems come back on the fields they name.
"""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ropa.exchange.schema import BOOL, BY_NAME, DATE, ENUM, INT, REF, REFS, Entity, Field
from ropa.labels import LONG_TEXT, enum_choices, label

YES_NO = [("", "Not known"), ("yes", "Yes"), ("no", "No")]


#: Up to this many options a multiple choice is a list of tick boxes; beyond it (249 countries, thousands of
#: organisations in a large register) the names are typed and the service resolves them as an import does.
MAX_TICK_BOXES = 60


class NameListField(StringField):
    """Several names typed in one box, separated by semicolons (or new lines); data is the list of names."""

    def _value(self) -> str:
        return "; ".join(self.data or [])

    def process_formdata(self, valuelist) -> None:
        text = ";".join(valuelist)
        self.data = [part.strip() for part in text.replace("\n", ";").split(";") if part.strip()]

    def process_data(self, value) -> None:
        self.data = list(value or [])


class RecordForm(FlaskForm):
    """The base of every catalogue form: the version the editor loaded, and the audit position at load time."""

    version = HiddenField()
    loaded_audit = HiddenField()
    entity: Entity


def form_class(entity_name: str, choices: dict[str, list[tuple[str, str]]], *, editing: bool,
               exclude: tuple[str, ...] = ()) -> type[RecordForm]:
    """A form class for one entity. choices maps each REF/REFS target to its (key, label) options."""
    entity = BY_NAME[entity_name]
    attrs: dict = {"entity": entity}
    for f in entity.fields:
        if f.name not in exclude:
            attrs[f.name] = _field(entity, f, choices, locked=editing and f.name in entity.key)
    return type(f"{entity.label.title().replace(' ', '')}Form", (RecordForm,), attrs)


def _field(entity: Entity, f: Field, choices: dict, locked: bool):
    text = label(f.name)
    required = [InputRequired(f"Enter the {text.lower()}")] if f.required else [Optional()]
    kw = {"render_kw": {"readonly": True}} if locked else {}
    if f.kind == BOOL:
        return SelectField(text, choices=select_choices(YES_NO), default="")
    if f.kind == DATE:
        return DateField(text, validators=[Optional()], format="%Y-%m-%d")
    if f.kind == INT:
        return IntegerField(text, validators=[Optional(), NumberRange(min=0, message="Enter a whole number, 0 or more")])
    if f.kind == ENUM:  # a column that cannot be empty offers no empty choice
        empty = "Not recorded" if _nullable(entity, f.name) else None
        return SelectField(text, choices=select_choices(enum_choices(f.enum, empty)), default="")
    if f.kind == REF and f.target == "activities":  # thousands of them: typed, and checked by the service
        return StringField(text, validators=required + [Length(max=40)], description="The activity's reference, e.g. PA-001.", **kw)
    if f.kind == REF:
        if locked:
            return StringField(text, **kw)
        options = [("", "None")] + choices.get(f.target, [])
        return SelectField(text, choices=select_choices(options), default="", validators=required)
    if f.kind == REFS and len(choices.get(f.target, [])) > MAX_TICK_BOXES:
        what = "ISO codes or country names" if f.target == "countries" else "names"
        return NameListField(text, description=f"Type the {what}, separated by semicolons.")
    if f.kind == REFS:
        return SelectMultipleField(text, choices=select_choices(choices.get(f.target, [])), default=[], validate_choice=True)
    if f.name in LONG_TEXT:
        return TextAreaField(text, validators=[Optional(), Length(max=20000)])
    return StringField(text, validators=required + [Length(max=500)], **kw)


def _column_default(entity: Entity, f: Field):
    from ropa.services.catalogue import MODELS

    column = MODELS[entity.name].__table__.c.get(f.name)
    default = column.default.arg if column is not None and column.default is not None else None
    if f.kind == ENUM and default is not None and not callable(default):
        return getattr(default, "value", default)
    return None


def _nullable(entity: Entity, name: str) -> bool:
    from ropa.services.catalogue import MODELS

    column = MODELS[entity.name].__table__.c.get(name)
    return column is None or column.nullable


def initial_data(entity: Entity, record: dict) -> dict:
    """Form data from a dump-form record (for an edit page's first load; a new record starts from the columns'
    defaults, so a form never preselects a value the user did not choose)."""
    data = {}
    for f in entity.fields:
        value = record.get(f.name, _column_default(entity, f))
        if f.kind == BOOL:
            data[f.name] = "" if value is None else ("yes" if value else "no")
        elif f.kind == DATE:
            data[f.name] = date.fromisoformat(value) if value else None
        elif f.kind in (REF, ENUM):
            data[f.name] = value or ""
        elif f.kind == REFS:
            data[f.name] = list(value or [])
        else:
            data[f.name] = value if value is not None else ("" if f.kind != INT else None)
    return data


def values_of(form: RecordForm) -> dict:
    """The form's values in dump form, for the service to save."""
    values = {}
    for f in form.entity.fields:
        if f.name not in form:
            continue
        data = form[f.name].data
        if f.kind == BOOL:
            values[f.name] = {"yes": True, "no": False}.get(data)
        elif f.kind == DATE:
            values[f.name] = data.isoformat() if data else None
        elif f.kind in (REF, ENUM):
            values[f.name] = (data or "").strip() or None
        elif f.kind == REFS:
            values[f.name] = list(data or [])
        elif f.kind == INT:
            values[f.name] = data
        else:
            values[f.name] = (data or "").strip()
    return values


def attach_problems(form: RecordForm, problems) -> list[str]:
    """Put each service problem on the field it names; return those that name no field."""
    loose = []
    for problem in problems:
        name = problem.column.split(":")[0]
        if name in form and name not in ("version", "loaded_audit", "csrf_token"):
            form[name].errors = list(form[name].errors) + [problem.reason[0].upper() + problem.reason[1:]]
        else:
            loose.append(problem.reason[0].upper() + problem.reason[1:])
    return loose


def select_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, text) for value, text in pairs]
