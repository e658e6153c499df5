"""The processing activity: one row of the Art. 30 record, with its recipients."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ropa.extensions import db
from ropa.models.base import Versioned, enum_type, link_table
from ropa.enums import ActivityStatus, OurRole
from ropa.models.parties import Organisation, Recipient, Service, System
from ropa.models.reference import DataCategory, LawfulBasis, SubjectCategory
from ropa.models.retention import RetentionRule

activity_joint_controllers = link_table("activity_joint_controllers", "activities.id", "organisations.id")
activity_subjects = link_table("activity_subjects", "activities.id", "subject_categories.id")
activity_categories = link_table("activity_categories", "activities.id", "data_categories.id")
activity_bases = link_table("activity_bases", "activities.id", "lawful_bases.id")
activity_systems = link_table("activity_systems", "activities.id", "systems.id")
activity_processors = link_table("activity_processors", "activities.id", "organisations.id")


class ProcessingActivity(Versioned, db.Model):
    """One processing activity of the register (Art. 30(1) as controller, 30(2) as processor)."""

    __tablename__ = "activities"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable reference such as PA-001, the key imports match on.
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("services.id", ondelete="RESTRICT"))
    service: Mapped[Service | None] = relationship()
    business_function: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Art. 30(1)(b): purposes of the processing.
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    our_role: Mapped[OurRole] = mapped_column(enum_type(OurRole), default=OurRole.CONTROLLER)
    #: Art. 30(2)(a): the controller we act for when we are its processor.
    controller_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    controller: Mapped[Organisation | None] = relationship(foreign_keys=[controller_id])
    #: Art. 30(1)(a): joint controllers.
    joint_controllers: Mapped[list[Organisation]] = relationship(secondary=activity_joint_controllers)
    #: Art. 30(1)(c): categories of data subjects.
    data_subjects: Mapped[list[SubjectCategory]] = relationship(secondary=activity_subjects)
    #: Art. 30(1)(c): categories of personal data.
    data_categories: Mapped[list[DataCategory]] = relationship(secondary=activity_categories)
    #: Art. 6 bases, Art. 9 conditions and Schedule 1 conditions relied on.
    lawful_bases: Mapped[list[LawfulBasis]] = relationship(secondary=activity_bases)
    legitimate_interests: Mapped[str] = mapped_column(sa.Text, default="")
    lia_url: Mapped[str] = mapped_column(sa.String(500), default="")
    consent_record_url: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Sch. 1 Part 4: the appropriate policy document, where a condition needs one.
    policy_document_url: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Art. 14(2)(f): where the data comes from.
    source: Mapped[str] = mapped_column(sa.Text, default="")
    #: Rights available; empty means "derived from the lawful bases".
    rights_override: Mapped[str] = mapped_column(sa.Text, default="")
    #: Art. 13(2)(f): automated decision-making, including profiling.
    automated_decision_making: Mapped[str] = mapped_column(sa.Text, default="")
    systems: Mapped[list[System]] = relationship(secondary=activity_systems)
    #: Location of personal data in words, beyond the systems listed.
    location: Mapped[str] = mapped_column(sa.Text, default="")
    #: Art. 30(1)(d): recipients, with the legal gateway per recipient in Disclosure.
    recipients: Mapped[list[Recipient]] = relationship(secondary="disclosures", viewonly=True)
    disclosures: Mapped[list["Disclosure"]] = relationship(
        back_populates="activity", cascade="all, delete-orphan")
    processors: Mapped[list[Organisation]] = relationship(secondary=activity_processors)
    transfers: Mapped[list["Transfer"]] = relationship(back_populates="activity", cascade="all, delete-orphan")
    #: Art. 30(1)(f): envisaged time limits for erasure.
    retention_rule_id: Mapped[int | None] = mapped_column(sa.ForeignKey("retention_rules.id", ondelete="RESTRICT"))
    retention_rule: Mapped[RetentionRule | None] = relationship()
    retention_policy_url: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Sch. 1 para 41: is data retained and erased in line with the policy? (None: not assessed)
    retention_compliant: Mapped[bool | None] = mapped_column(default=None)
    retention_noncompliance_reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: Art. 30(1)(g): technical and organisational security measures.
    security_measures: Mapped[str] = mapped_column(sa.Text, default="")
    dpia_required: Mapped[bool | None] = mapped_column(default=None)
    dpia_progress: Mapped[str] = mapped_column(sa.String(300), default="")
    dpia_url: Mapped[str] = mapped_column(sa.String(500), default="")
    breach_occurred: Mapped[bool | None] = mapped_column(default=None)
    breach_url: Mapped[str] = mapped_column(sa.String(500), default="")
    owner: Mapped[str] = mapped_column(sa.String(300), default="")
    status: Mapped[ActivityStatus] = mapped_column(enum_type(ActivityStatus), default=ActivityStatus.ACTIVE)
    #: DSPT 1.1.2 wants the register reviewed and approved within the last 12 months.
    last_reviewed: Mapped[date | None] = mapped_column()
    next_review_due: Mapped[date | None] = mapped_column()
    notes: Mapped[str] = mapped_column(sa.Text, default="")


class Disclosure(Versioned, db.Model):
    """One recipient of one activity, with the legal gateway and data-sharing agreement."""

    __tablename__ = "disclosures"
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("recipients.id", ondelete="RESTRICT"), primary_key=True)
    activity: Mapped[ProcessingActivity] = relationship(back_populates="disclosures")
    recipient: Mapped[Recipient] = relationship()
    #: The law or power that allows the disclosure (e.g. Children Act 2004 s.11).
    legal_gateway: Mapped[str] = mapped_column(sa.Text, default="")
    agreement_reference: Mapped[str] = mapped_column(sa.String(300), default="")
    agreement_start: Mapped[date | None] = mapped_column()
    agreement_end: Mapped[date | None] = mapped_column()
    agreement_review: Mapped[date | None] = mapped_column()
    notes: Mapped[str] = mapped_column(sa.Text, default="")
