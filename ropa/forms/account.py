"""The account screens' forms (a user's own security settings) and the sign-in code step."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ropa.services.users import MIN_PASSWORD


def _code(label: str, hint: str) -> StringField:
    return StringField(label, description=hint, validators=[
        DataRequired("Enter the code"), Length(max=40, message="That is too long to be a code")],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"})


class CodeForm(FlaskForm):
    """The second step of signing in."""

    code = _code("Code", "The 6-digit code from your authenticator app, or one of your recovery codes.")


class EnrolForm(FlaskForm):
    code = _code("Code from the app", "Type the 6-digit code the app shows for ropa, to check it is set up.")


class DisableMfaForm(FlaskForm):
    code = _code("Current code", "A 6-digit code from your authenticator app, or a recovery code.")


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired("Enter your current password"),
                                                            Length(max=200)],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField("New password", description=f"At least {MIN_PASSWORD} characters.",
                             validators=[DataRequired("Enter a new password"), Length(max=200)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Type the new password again", validators=[DataRequired("Type the new password again")],
                            render_kw={"autocomplete": "new-password"})

    def validate_password(self, field) -> None:
        if len(field.data) < MIN_PASSWORD:
            raise ValidationError(f"The new password must be at least {MIN_PASSWORD} characters")

    def validate_confirm(self, field) -> None:
        if self.password.data and field.data != self.password.data:
            raise ValidationError("The two new passwords are not the same")
