"""The users screens' forms: one class per screen. Forms validate; services/users.py decides."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, RadioField, SelectMultipleField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ropa.enums import Role
from ropa.services.users import MIN_PASSWORD

ROLE_CHOICES = [
    SelectChoice(Role.AUDITOR.value, "Auditor: reads and downloads everything, changes nothing"),
    SelectChoice(Role.EDITOR.value, "Editor: edits the activities of the services chosen below"),
    SelectChoice(Role.DPO.value, "DPO: edits everything and signs off snapshots"),
    SelectChoice(Role.ADMIN.value, "Administrator: manages users, and can do everything a DPO can"),
]


def service_choices(names: list[str]) -> list[SelectChoice]:
    """Options for an editor's services."""
    return [SelectChoice(n, n) for n in names]


def _name() -> StringField:
    return StringField("Full name", validators=[Length(max=300, message="Keep the name under 300 characters")])


def _role() -> RadioField:
    return RadioField("Role", choices=ROLE_CHOICES, default=Role.AUDITOR.value,
                      validators=[DataRequired("Choose a role")])


def _services() -> SelectMultipleField:
    return SelectMultipleField("Services they edit (editors only)", choices=[], validate_choice=True,
                               description="Only for editors: they may edit the activities of these services.")


class _EditorServices:
    """Fields are made per form (not inherited) so each form lists them, and its error summary, in page order."""

    def validate_services(self, field) -> None:
        if self.role.data == Role.EDITOR.value and not field.data:
            raise ValidationError("Choose at least one service for an editor, or give them another role")


class NewUserForm(_EditorServices, FlaskForm):
    email = EmailField("Email address", validators=[
        DataRequired("Enter their email address"),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address like name@example.org"),
        Length(max=320)], render_kw={"autocomplete": "off"})
    name, role, services = _name(), _role(), _services()
    password_choice = RadioField("How is the password set?", default="generate", choices=[
        SelectChoice("generate", "Generate one for me (shown once on the next page, for you to pass on)"),
        SelectChoice("type", "I will type one")], validators=[DataRequired("Choose how the password is set")])
    password = PasswordField("Password", validators=[Optional(), Length(max=200)],
                             description=f"At least {MIN_PASSWORD} characters.",
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Type the password again", validators=[Optional()],
                            render_kw={"autocomplete": "new-password"})

    def validate_password(self, field) -> None:
        if self.password_choice.data != "type":
            return
        if not field.data:
            raise ValidationError("Type a password, or choose to generate one")
        if len(field.data) < MIN_PASSWORD:
            raise ValidationError(f"The password must be at least {MIN_PASSWORD} characters")

    def validate_confirm(self, field) -> None:
        if self.password_choice.data == "type" and self.password.data and field.data != self.password.data:
            raise ValidationError("The two passwords are not the same")


class EditUserForm(_EditorServices, FlaskForm):
    name, role, services = _name(), _role(), _services()
    active = BooleanField("Active: may sign in and use API tokens",
                          description="Untick to deactivate: they are signed out at once and their tokens revoked.")
    version = HiddenField()
    loaded_audit = HiddenField()


class TokenForm(FlaskForm):
    name = StringField("What the token is for", validators=[
        DataRequired("Say what the token is for, for example “nightly DSPT export”"),
        Length(max=200, message="Keep the name under 200 characters")])

