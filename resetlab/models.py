"""Database models (SQLAlchemy 2.0 typed). Content is referred to by slug and question id."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .core.rules import Grading, Reveal
from .extensions import db


class Role(StrEnum):
    """What a user does here."""

    STUDENT = "student"
    INSTRUCTOR = "instructor"


class AttemptState(StrEnum):
    """An attempt is open until it is submitted (then graded once, never again)."""

    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


class ReviewSource(StrEnum):
    """Where an answer that fed the review schedule came from."""

    QUIZ = "quiz"
    REVIEW = "review"
    OFFLINE = "offline"


def utcnow() -> datetime:
    """Naive UTC now: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):
    """A learner or an instructor; `session_version` invalidates old cookies on logout."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.STUDENT)
    is_guest: Mapped[bool] = mapped_column(default=False, server_default=false())
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the learner deleted their account but assignment attempts keep the row (see account/).
    deleted_at: Mapped[datetime | None]

    def get_id(self) -> str:
        """Flask-Login id that changes when sessions are revoked."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_instructor(self) -> bool:
        """Whether the user teaches."""
        return self.role == Role.INSTRUCTOR


class LessonRead(db.Model):
    """A learner marked a lesson as read."""

    __table_args__ = (UniqueConstraint("user_id", "lesson_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    lesson_slug: Mapped[str] = mapped_column(String(100))
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attempt(db.Model):
    """One sitting of a quiz: in progress until submitted, then finished and never regraded.

    The database holds the attempt rules: one open attempt per learner and practice quiz, one per
    learner and assignment, and assignment attempts numbered 1, 2, … without gaps or repeats.
    """

    __table_args__ = (
        Index("ix_attempt_user_bank", "user_id", "bank_slug", "state"),
        Index("uq_attempt_open_practice", "user_id", "bank_slug", unique=True,
              sqlite_where=text("state = 'in_progress' AND assignment_id IS NULL"),
              postgresql_where=text("state = 'in_progress' AND assignment_id IS NULL")),
        Index("uq_attempt_open_assignment", "user_id", "assignment_id", unique=True,
              sqlite_where=text("state = 'in_progress' AND assignment_id IS NOT NULL"),
              postgresql_where=text("state = 'in_progress' AND assignment_id IS NOT NULL")),
        UniqueConstraint("user_id", "assignment_id", "number", name="uq_attempt_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    bank_slug: Mapped[str] = mapped_column(String(100))
    bank_title: Mapped[str] = mapped_column(String(200))
    lesson_slug: Mapped[str | None] = mapped_column(String(100))
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=AttemptState.IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    score: Mapped[float | None]
    late: Mapped[bool] = mapped_column(default=False, server_default=false())
    timed_out: Mapped[bool] = mapped_column(default=False, server_default=false())
    number: Mapped[int | None]  # 1, 2, … among one learner's attempts at one assignment
    draft: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)  # answers saved before submitting
    draft_saved_at: Mapped[datetime | None]
    review_fed: Mapped[bool] = mapped_column(default=False, server_default=false())

    items: Mapped[list[AttemptItem]] = relationship(
        back_populates="attempt", order_by="AttemptItem.position", cascade="all, delete-orphan")

    @property
    def finished(self) -> bool:
        """Submitted and graded."""
        return self.state == AttemptState.FINISHED

    @property
    def percent(self) -> int | None:
        """Score as a whole percentage."""
        return None if self.score is None else round(self.score * 100)

    @property
    def pending(self) -> bool:
        """Submitted, but a written answer is not graded (or its grade not released) yet: no score."""
        return self.finished and self.score is None


class AttemptSummary(db.Model):
    """One student's attempts at one assignment, summed up as they are started and handed in, so the
    dashboards read one row per student and assignment instead of every attempt (resetlab/study/summaries.py).

    Scores are over finished attempts that have one, in the order the attempts were made; a finished
    attempt whose score is NULL awaits grading. Whether the score that counts awaits grading depends on
    the assignment's grading rule (core/rules.py `Tally.awaiting`; `summaries.awaiting` in SQL).
    """

    __table_args__ = ({"sqlite_with_rowid": False},)  # rows stored in key order: a class reads a range

    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"),
                                               primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    finished: Mapped[int] = mapped_column(default=0)
    late: Mapped[int] = mapped_column(default=0)  # finished attempts handed in after the due date
    pending: Mapped[int] = mapped_column(default=0)  # finished attempts awaiting a score
    first_pending: Mapped[int] = mapped_column(default=0)  # 1: the first finished attempt awaits a score
    last_pending: Mapped[int] = mapped_column(default=0)  # 1: the latest finished attempt awaits a score
    first_score: Mapped[float | None]
    last_score: Mapped[float | None]
    best_score: Mapped[float | None]
    first_attempt_id: Mapped[int | None]
    last_attempt_id: Mapped[int | None]
    best_attempt_id: Mapped[int | None]  # the earliest attempt with the best score
    first_finished_at: Mapped[datetime | None]


class QuestionVersion(db.Model):
    """One version of a question exactly as served, stored once and shared by every attempt."""

    content_hash: Mapped[str] = mapped_column(String(32), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(100), index=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttemptItem(db.Model):
    """A question as served in an attempt: its version, the option order, the response."""

    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_id: Mapped[str] = mapped_column(String(100), index=True)
    content_hash: Mapped[str] = mapped_column(ForeignKey("question_version.content_hash"), index=True)
    presentation: Mapped[list[str]] = mapped_column(JSON)
    response: Mapped[Any | None] = mapped_column(JSON)
    score: Mapped[float | None]

    attempt: Mapped[Attempt] = relationship(back_populates="items")


class Classroom(db.Model):
    """A class an instructor teaches; students join it with a code or link."""

    id: Mapped[int] = mapped_column(primary_key=True)
    instructor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    archived: Mapped[bool] = mapped_column(default=False)
    share_practice: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Enrollment(db.Model):
    """A student's membership of a class. Removal keeps the student's own data and the row: a removed
    student cannot join again with the code until an instructor re-admits them."""

    __table_args__ = (UniqueConstraint("classroom_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(default=True)
    removed_at: Mapped[datetime | None]


class Assignment(db.Model):
    """A lesson and its quiz set for a class, with dates (UTC) and attempt rules."""

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"), index=True)
    bank_slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    open_at: Mapped[datetime]
    due_at: Mapped[datetime]
    attempts_allowed: Mapped[int | None]
    grading: Mapped[str] = mapped_column(String(10), default=Grading.HIGHEST)
    draw: Mapped[int]
    time_limit_minutes: Mapped[int | None]
    reveal: Mapped[str] = mapped_column(String(20), default=Reveal.IMMEDIATELY)
    closed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Written answers (resetlab/grading/): whether every attempt gets the bank's written prompts, the
    # instructor's own rubric for them (None: each prompt's rubric), and when grades were released.
    include_written: Mapped[bool] = mapped_column(default=False, server_default=false())
    written_rubric: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    grades_released_at: Mapped[datetime | None]


class Accommodation(db.Model):
    """Per-student extra time (a multiplier) and extra attempts in one class."""

    __table_args__ = (UniqueConstraint("classroom_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    time_multiplier: Mapped[float] = mapped_column(default=1.0)
    extra_attempts: Mapped[int] = mapped_column(default=0)


class ReviewCard(db.Model):
    """A question a learner missed (or was unsure of), scheduled for spaced review with FSRS."""

    __table_args__ = (UniqueConstraint("user_id", "question_id"),
                      Index("ix_review_card_user_due", "user_id", "due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    lesson_slug: Mapped[str] = mapped_column(String(100))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[datetime]
    reviews: Mapped[int] = mapped_column(default=0)
    lapses: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewLog(db.Model):
    """One answer that fed the review schedule; `client_id` makes offline syncs count once."""

    __table_args__ = (Index("ix_review_log_user_time", "user_id", "reviewed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    lesson_slug: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))
    score: Mapped[float]
    sure: Mapped[bool] = mapped_column(default=True)
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)


# --- accounts: password reset links (resetlab/auth/tokens.py) ---------------------------------------
class PasswordResetToken(db.Model):
    """A one-time password reset link: only the SHA-256 of the token is stored; it expires."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


# --- instructors' own question banks (resetlab/teach/banks.py) ----------------------------------------
class QuestionBank(db.Model):
    """A quiz bank an instructor made (GIFT or TOML upload, or pasted): theirs, assessment-only unless
    they open it for practice. In the catalog its slug is `b<id>` and its question ids `b<id>-<local id>`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    lesson_slug: Mapped[str | None] = mapped_column(String(100))  # a shipped lesson it goes with, if any
    draw: Mapped[int]
    practice: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class BankQuestion(db.Model):
    """One question of an instructor's bank: the bank dict as written (local id) and its current version."""

    __table_args__ = (UniqueConstraint("bank_id", "local_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_bank.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    local_id: Mapped[str] = mapped_column(String(80))
    question_id: Mapped[str] = mapped_column(String(100), unique=True)  # b<bank id>-<local id>
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(ForeignKey("question_version.content_hash"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClassroomInstructor(db.Model):
    """An extra instructor of a class (an LMS course has several teachers); the owner stays on Classroom."""

    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"),
                                              primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    assistant: Mapped[bool] = mapped_column(default=False, server_default=false())
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- LTI 1.3 (resetlab/lti/) ---------------------------------------------------------------------------
class LtiPlatform(db.Model):
    """An LMS registration: one (issuer, client id) pair with its endpoints."""

    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120))
    auth_login_url: Mapped[str] = mapped_column(String(500))
    auth_token_url: Mapped[str] = mapped_column(String(500))
    auth_audience: Mapped[str | None] = mapped_column(String(500))
    key_set_url: Mapped[str] = mapped_column(String(500))
    frame_origins: Mapped[list[str]] = mapped_column(JSON)  # who may show our pages in an iframe
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiDeployment(db.Model):
    """A deployment id of a registration (an LMS installs the tool once per deployment)."""

    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))


class LtiToolKey(db.Model):
    """The tool's RSA key pair; the kid is the RFC 7638 thumbprint. /lti/jwks lists keys not retired."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(100), unique=True)
    public_pem: Mapped[str] = mapped_column(Text)
    private_pem: Mapped[str] = mapped_column(Text)  # encrypted when LTI_KEY_PASSPHRASE is set
    signing: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]


class LtiIdentity(db.Model):
    """Who an LMS user is here: (issuer, sub) -> user, never matched by email."""

    __table_args__ = (UniqueConstraint("issuer", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    sub: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiContext(db.Model):
    """An LMS course (context) and the class it maps to."""

    __table_args__ = (UniqueConstraint("platform_id", "deployment_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    memberships_url: Mapped[str | None] = mapped_column(String(500))
    synced_at: Mapped[datetime | None]


class LtiResourceLink(db.Model):
    """A placement in an LMS course: what it opens, and the AGS endpoints its launches carried."""

    __table_args__ = (UniqueConstraint("lti_context_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lti_context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20))  # lesson | assignment | home
    target: Mapped[str | None] = mapped_column(String(100))  # lesson or bank slug
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id", ondelete="SET NULL"),
                                                      index=True)
    lineitem_url: Mapped[str | None] = mapped_column(String(500))
    lineitems_url: Mapped[str | None] = mapped_column(String(500))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiScoreOutbox(db.Model):
    """A counted score to post to an LMS line item, written in the grading transaction; sent, retried
    with backoff, or dead (a refusal the LMS will not change its mind about)."""

    __table_args__ = (Index("ix_lti_score_outbox_due", "status", "next_try_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("lti_resource_link.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    lineitem_url: Mapped[str] = mapped_column(String(500))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # the AGS score, its timestamp fixed
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sent | dead
    tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class LtiCache(db.Model):
    """pylti1p3's launch state (nonces, launch data), spent nonces and service tokens, shared by workers."""

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    expires_at: Mapped[datetime | None] = mapped_column(index=True)


# --- written answers graded by instructors (resetlab/grading/) -----------------------------------------
class GradeStatus(StrEnum):
    """Where a written answer is in the grading queue."""

    PENDING = "pending"  # to grade (levels picked so far are kept as a draft)
    GRADED = "graded"  # every rubric criterion has a level
    RETURNED = "returned"  # sent back to the student to revise; pending again once resubmitted


class WrittenGrade(db.Model):
    """The grading of one written answer (an attempt item of a manually graded type).

    Created when the attempt is submitted with the answer written; the rubric is the one in force
    then (the prompt's, or the assignment's own). `levels` holds one level index per criterion (None
    until picked). The student sees it only once the assignment's grades are released.
    """

    __table_args__ = (Index("ix_written_grade_queue", "assignment_id", "question_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("attempt_item.id", ondelete="CASCADE"), unique=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=GradeStatus.PENDING)
    rubric: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    levels: Mapped[list[int | None]] = mapped_column(JSON)
    points: Mapped[int | None]
    max_points: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    grader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime | None]
    # Earlier versions of the answer, each with the comment it was returned with: [{text, comment, at}].
    revisions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommentSnippet(db.Model):
    """A comment an instructor reuses while grading one prompt ("Cite a date for each claim.")."""

    __table_args__ = (UniqueConstraint("owner_id", "question_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the text: one copy of each comment
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
