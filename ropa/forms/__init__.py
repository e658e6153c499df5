"""WTForms forms, one class per screen; catalogue.py builds the register's edit forms from the field catalogue."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, Regexp


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address"),
        Regexp(r"^[^@\s]+@[^@\s]+$", message="Enter an email address like name@example.org")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password"), Length(max=200)])
