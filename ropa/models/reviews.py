"""Review campaigns: the DPO asks every owner to confirm or update their activities by a date (DSPT 1.1.2's
annual review and approval of the register), and sees who has."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ropa.enums import ReviewOutcome
from ropa.extensions import db
from ropa.models.activity import ProcessingActivity
from ropa.models.base import enum_type, link_table, utcnow
from ropa.models.parties import Service

campaign_services = link_table("review_campaign_services", "review_campaigns.id", "services.id")


class ReviewCampaign(db.Model):
    """One review: its name, due date and scope (every service, or some), and how it ended."""

    __tablename__ = "review_campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), unique=True)
    due: Mapped[date] = mapped_column()
    #: Every service (and the activities with none), or only those in services.
    all_services: Mapped[bool] = mapped_column(default=True)
    services: Mapped[list[Service]] = relationship(secondary=campaign_services)
    created_by: Mapped[str] = mapped_column(sa.String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_by: Mapped[str] = mapped_column(sa.String(320), default="")
    completed_at: Mapped[datetime | None] = mapped_column()
    #: The signed-off snapshot taken when the campaign was completed, if one was.
    snapshot_label: Mapped[str] = mapped_column(sa.String(300), default="")
    items: Mapped[list["ReviewItem"]] = relationship(back_populates="campaign", cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.completed_at is None


class ReviewItem(db.Model):
    """One activity to review in one campaign, and who reviewed it when."""

    __tablename__ = "review_items"
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("review_campaigns.id", ondelete="CASCADE"),
                                             primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    campaign: Mapped[ReviewCampaign] = relationship(back_populates="items")
    activity: Mapped[ProcessingActivity] = relationship()
    #: The activity's version when the campaign began: a later version at review time means it was updated.
    start_version: Mapped[int] = mapped_column()
    outcome: Mapped[ReviewOutcome] = mapped_column(enum_type(ReviewOutcome), default=ReviewOutcome.PENDING)
    reviewed_by: Mapped[str] = mapped_column(sa.String(320), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column()
