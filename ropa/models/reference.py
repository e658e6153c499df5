"""Reference vocabularies: countries, lawful bases, data and data subject categories."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ropa.extensions import db
from ropa.models.base import Versioned, enum_type
from ropa.enums import BasisKind, DataKind, TransferStatus


class Country(Versioned, db.Model):
    """A country with its UK transfer status (Art. 30(1)(e), UK GDPR Chapter V)."""

    __tablename__ = "countries"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: ISO 3166-1 alpha-2 code, as written in the register.
    code: Mapped[str] = mapped_column(sa.String(2), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: Whether a transfer there is restricted (Art. 44-49).
    transfer_status: Mapped[TransferStatus] = mapped_column(enum_type(TransferStatus))
    #: The limit of an adequacy decision (e.g. "PIPEDA recipients only"); empty when it covers everything.
    adequacy_scope: Mapped[str] = mapped_column(sa.Text, default="")
    #: True where the reference facts mark the status unverified: an editable default, not a rule.
    unverified: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(sa.Text, default="")


class LawfulBasis(Versioned, db.Model):
    """An Art. 6(1) basis, Art. 9(2) condition or DPA 2018 Schedule 1 condition."""

    __tablename__ = "lawful_bases"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short code such as 6(1)(e), 9(2)(h) or Sch1 para 2.
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    kind: Mapped[BasisKind] = mapped_column(enum_type(BasisKind))
    label: Mapped[str] = mapped_column(sa.String(200))
    #: Art. 9(2)(b/g/h/i/j) need a Schedule 1 condition as well (DPA 2018 s.10).
    needs_schedule_1: Mapped[bool] = mapped_column(default=False)
    #: Schedule 1 conditions that need an appropriate policy document (Sch. 1 Part 4).
    needs_policy_document: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(sa.Text, default="")


class DataCategory(Versioned, db.Model):
    """A category of personal data (Art. 30(1)(c)); special and criminal kinds need extra conditions."""

    __tablename__ = "data_categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[DataKind] = mapped_column(enum_type(DataKind), default=DataKind.PERSONAL)
    description: Mapped[str] = mapped_column(sa.Text, default="")


class SubjectCategory(Versioned, db.Model):
    """A category of data subjects (Art. 30(1)(c))."""

    __tablename__ = "subject_categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
