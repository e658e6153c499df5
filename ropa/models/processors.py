"""Processor engagements (Art. 28) and international transfers (Chapter V)."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ropa.extensions import db
from ropa.models.activity import ProcessingActivity
from ropa.models.base import Versioned, enum_type, link_table
from ropa.enums import Region, TransferMechanism
from ropa.models.parties import Organisation, Service, System
from ropa.models.reference import Country

engagement_services = link_table("engagement_services", "engagements.id", "services.id")
engagement_subprocessors = link_table("engagement_subprocessors", "engagements.id", "organisations.id")
engagement_countries = link_table("engagement_countries", "engagements.id", "countries.id")


class ProcessorEngagement(Versioned, db.Model):
    """A contract with a processor (Art. 28; DSPT 10.1.2 and 10.2.2)."""

    __tablename__ = "engagements"
    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates_in_order"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable reference such as PE-001.
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    processor_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    processor: Mapped[Organisation] = relationship(foreign_keys=[processor_id])
    services: Mapped[list[Service]] = relationship(secondary=engagement_services)
    #: DSPT 10.1.2: the products or services the supplier provides.
    description: Mapped[str] = mapped_column(sa.Text, default="")
    contract_reference: Mapped[str] = mapped_column(sa.String(300), default="")
    contract_url: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Art. 28(3): the contract holds the required processor terms (None: not checked).
    art28_confirmed: Mapped[bool | None] = mapped_column(default=None)
    start_date: Mapped[date | None] = mapped_column()
    end_date: Mapped[date | None] = mapped_column()
    sub_processors: Mapped[list[Organisation]] = relationship(secondary=engagement_subprocessors)
    #: Countries where the processor processes or can access the data.
    countries: Mapped[list[Country]] = relationship(secondary=engagement_countries)
    #: Processing location in words, where no country is known (e.g. "Outside the UK and EEA").
    processing_location: Mapped[str] = mapped_column(sa.Text, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")


class Transfer(Versioned, db.Model):
    """A restricted transfer from an activity to a third country (Art. 30(1)(e))."""

    __tablename__ = "transfers"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable reference such as TR-001.
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"))
    activity: Mapped[ProcessingActivity] = relationship(back_populates="transfers")
    #: The destination country; empty when the source does not name it (the checks then flag it).
    country_id: Mapped[int | None] = mapped_column(sa.ForeignKey("countries.id", ondelete="RESTRICT"))
    country: Mapped[Country | None] = relationship()
    #: A region stated instead of one country (ICO column H: "EEA"); none when the destination is one country.
    region: Mapped[Region] = mapped_column(enum_type(Region), default=Region.NONE, server_default=Region.NONE.value)
    #: The destination in words, as stated (e.g. "Outside the UK and EEA (country not stated)").
    destination: Mapped[str] = mapped_column(sa.Text, default="")
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    organisation: Mapped[Organisation | None] = relationship()
    system_id: Mapped[int | None] = mapped_column(sa.ForeignKey("systems.id", ondelete="RESTRICT"))
    system: Mapped[System | None] = relationship()
    mechanism: Mapped[TransferMechanism] = mapped_column(
        enum_type(TransferMechanism), default=TransferMechanism.NONE_RECORDED)
    #: Art. 30(1)(e) / ICO column I: documented safeguards for an Art. 49 exception.
    safeguards: Mapped[str] = mapped_column(sa.Text, default="")
    #: UK-US data bridge: the recipient's certification and when it was checked.
    certification: Mapped[str] = mapped_column(sa.String(300), default="")
    certification_checked: Mapped[date | None] = mapped_column()
    #: Transfer risk assessment (the "data protection test"), needed for every Art. 46 mechanism.
    tra_date: Mapped[date | None] = mapped_column()
    tra_outcome: Mapped[str] = mapped_column(sa.Text, default="")
    tra_url: Mapped[str] = mapped_column(sa.String(500), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
