"""Who and what the register names: organisations, services, systems, recipients."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ropa.extensions import db
from ropa.models.base import Versioned, enum_type, link_table
from ropa.enums import DsptStatus, OrgKind, RecipientKind
from ropa.models.reference import Country

service_partners = link_table("service_partners", "services.id", "organisations.id")


class Organisation(Versioned, db.Model):
    """A legal entity: us, a controller we act for, a partner, processor, recipient or regulator."""

    __tablename__ = "organisations"
    __table_args__ = (
        # Only one organisation can be "us": the controller whose register this is.
        sa.Index("uq_organisations_is_self", "is_self", unique=True,
                 sqlite_where=sa.text("is_self"), postgresql_where=sa.text("is_self")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Art. 30(1)(a): name of the controller, joint controller, processor or recipient.
    name: Mapped[str] = mapped_column(sa.String(300), unique=True)
    kind: Mapped[OrgKind] = mapped_column(enum_type(OrgKind), default=OrgKind.OTHER)
    #: True for the organisation keeping this register.
    is_self: Mapped[bool] = mapped_column(default=False)
    #: Public authorities cannot rely on legitimate interests for their public tasks (Art. 6(1) last para).
    is_public_authority: Mapped[bool | None] = mapped_column(default=None)
    registration_number: Mapped[str] = mapped_column(sa.String(100), default="")
    #: Art. 30(1)(a): contact details.
    address: Mapped[str] = mapped_column(sa.Text, default="")
    email: Mapped[str] = mapped_column(sa.String(300), default="")
    telephone: Mapped[str] = mapped_column(sa.String(100), default="")
    country_id: Mapped[int | None] = mapped_column(sa.ForeignKey("countries.id", ondelete="RESTRICT"))
    country: Mapped[Country | None] = relationship()
    ico_registration: Mapped[str] = mapped_column(sa.String(100), default="")
    #: DSPT 10.1.2: the supplier's latest toolkit status.
    dspt_status: Mapped[DsptStatus] = mapped_column(enum_type(DsptStatus), default=DsptStatus.UNKNOWN)
    #: Art. 30(1)(a): the data protection officer.
    dpo_name: Mapped[str] = mapped_column(sa.String(300), default="")
    dpo_contact: Mapped[str] = mapped_column(sa.Text, default="")
    #: Art. 30(1)(a): the representative (Art. 27), if any.
    representative_name: Mapped[str] = mapped_column(sa.String(300), default="")
    representative_contact: Mapped[str] = mapped_column(sa.Text, default="")
    website: Mapped[str] = mapped_column(sa.String(500), default="")
    privacy_notice_url: Mapped[str] = mapped_column(sa.String(500), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")


class Service(Versioned, db.Model):
    """A service line (e.g. ECFWS 0-19, SET CAMHS) with its provider and partners."""

    __tablename__ = "services"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    provider: Mapped[Organisation | None] = relationship(foreign_keys=[provider_id])
    partners: Mapped[list[Organisation]] = relationship(secondary=service_partners)
    notes: Mapped[str] = mapped_column(sa.Text, default="")


class System(Versioned, db.Model):
    """An information asset or system (DSPT 1.1.2 / 7.1.1): where the data is held."""

    __tablename__ = "systems"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    supplier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    supplier: Mapped[Organisation | None] = relationship()
    #: Where the system is hosted: a restricted transfer if outside the UK.
    hosting_country_id: Mapped[int | None] = mapped_column(sa.ForeignKey("countries.id", ondelete="RESTRICT"))
    hosting_country: Mapped[Country | None] = relationship()
    #: Location of personal data in words (ICO column T).
    location: Mapped[str] = mapped_column(sa.Text, default="")
    #: Information asset owner.
    owner: Mapped[str] = mapped_column(sa.String(300), default="")
    software: Mapped[str] = mapped_column(sa.String(300), default="")
    support_arrangements: Mapped[str] = mapped_column(sa.Text, default="")
    #: DSPT 1.1.2: the impact of its loss, compromise or disclosure.
    impact_of_loss: Mapped[str] = mapped_column(sa.Text, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")


class Recipient(Versioned, db.Model):
    """A named organisation or a category of recipients (Art. 30(1)(d))."""

    __tablename__ = "recipients"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), unique=True)
    kind: Mapped[RecipientKind] = mapped_column(enum_type(RecipientKind), default=RecipientKind.CATEGORY)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    organisation: Mapped[Organisation | None] = relationship()
    description: Mapped[str] = mapped_column(sa.Text, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
