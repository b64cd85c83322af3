"""From a validated launch to our model: the user (by issuer + subject, never by email), the class of the
LMS course (its instructors as co-instructors), the placement (lesson, assignment or home) and its AGS
endpoints; the deep-linking choices; the LMS pages of a class."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..core.content.model import Bank
from ..core.content.owned import bank_number
from ..core.errors import Forbidden
from ..core.rules import Grading, Reveal
from ..database import begin_write, insert_ignoring_duplicates
from ..extensions import db
from ..models import (
    Assignment,
    Classroom,
    ClassroomInstructor,
    Enrollment,
    LtiContext,
    LtiIdentity,
    LtiPlatform,
    LtiResourceLink,
    LtiScoreOutbox,
    QuestionBank,
    Role,
    User,
    utcnow,
)
from ..teach.services import new_join_code

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING = "LtiDeepLinkingRequest"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
TEACHING = {"Instructor", "Administrator", "ContentDeveloper"}
KINDS = ("assignment", "lesson")
NO_DUE_DATE = timedelta(days=365)


class LaunchRefused(Forbidden):
    """A valid launch we will not act on; the message says why (a 403 page)."""

    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


def context_role(roles: Iterable[Any]) -> str | None:
    """'instructor', 'assistant' or 'learner' from the context (membership) roles only; institution and
    system roles never give rights in a class. None when there is no usable role."""
    names = set()
    for role in roles:
        if not isinstance(role, str):
            continue
        if role.startswith(MEMBERSHIP):
            names.add(role.removeprefix(MEMBERSHIP))
        elif role.startswith("http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#"):
            names.add("TeachingAssistant" if role.endswith("#TeachingAssistant") else "Instructor")
        elif "/" not in role and "#" not in role:  # short forms LTI 1.3 still allows
            names.add(role)
    if names & TEACHING:
        return "instructor"
    if "TeachingAssistant" in names:
        return "assistant"
    if names & {"Learner", "Member"}:
        return "learner"
    return None


def display_name(data: Mapping[str, Any]) -> str:
    """The name the LMS shares, if any (privacy settings may hide it)."""
    name = data.get("name") or " ".join(p for p in (data.get("given_name"), data.get("family_name")) if p)
    return (name.strip() if isinstance(name, str) else "")[:80] or "LMS user"


def user_for(issuer: str, sub: str, name: str, teaches: bool) -> User:
    """The account of this LMS person, made on first launch (no email, no password); the name refreshed."""
    begin_write()
    user = db.session.scalar(db.select(User).join(LtiIdentity, LtiIdentity.user_id == User.id)
                             .where(LtiIdentity.issuer == issuer, LtiIdentity.sub == sub))
    if user is None:
        user = User(email=None, display_name=name, password_hash=None,
                    role=Role.INSTRUCTOR if teaches else Role.STUDENT)
        db.session.add(user)
        db.session.flush()
        db.session.add(LtiIdentity(issuer=issuer, sub=sub, user_id=user.id))
    else:
        if name != "LMS user":
            user.display_name = name
        if teaches:
            user.role = Role.INSTRUCTOR
    try:
        db.session.commit()
    except IntegrityError:  # the same person's first launch in two tabs: the other one made it
        db.session.rollback()
        return user_for(issuer, sub, name, teaches)
    return user


def classroom_for(platform: LtiPlatform, deployment_id: str, context: Mapping[str, Any], user: User,
                  role: str, memberships_url: str | None) -> Classroom:
    """The class of this LMS course: made by its first instructor launch; instructors and assistants
    become (co-)instructors, learners active members."""
    context_id = str(context.get("id") or "")[:255]
    title = str(context.get("title") or context.get("label") or "LMS course")[:120]
    if not context_id:
        raise LaunchRefused("bad_message", "The LMS sent no course with this launch.")
    begin_write()
    row = db.session.scalar(db.select(LtiContext).where(
        LtiContext.platform_id == platform.id, LtiContext.deployment_id == deployment_id,
        LtiContext.context_id == context_id))
    if row is None:
        if role == "learner":
            db.session.rollback()
            raise LaunchRefused("not_set_up", "Reset Lab is not set up in this course yet: your instructor "
                                              "needs to open it from the course once.")
        classroom = Classroom(instructor_id=user.id, name=title, join_code=new_join_code())
        db.session.add(classroom)
        db.session.flush()
        row = LtiContext(platform_id=platform.id, deployment_id=deployment_id, context_id=context_id,
                         classroom_id=classroom.id, title=title)
        db.session.add(row)
    if memberships_url:
        row.memberships_url = memberships_url[:500]
    classroom_id = row.classroom_id
    if role == "learner":
        joined = db.session.execute(db.update(Enrollment).where(
            Enrollment.classroom_id == classroom_id, Enrollment.user_id == user.id)
            .values(active=True, removed_at=None)).rowcount
        if not joined:
            db.session.add(Enrollment(classroom_id=classroom_id, user_id=user.id))
    else:
        owner = db.session.scalar(db.select(Classroom.instructor_id).where(Classroom.id == classroom_id))
        if owner != user.id:
            insert_ignoring_duplicates(ClassroomInstructor, [{
                "classroom_id": classroom_id, "user_id": user.id, "assistant": role == "assistant",
                "added_at": utcnow()}])
    try:
        db.session.commit()
    except IntegrityError:  # two first launches of one course at once: the other made the class
        db.session.rollback()
        return classroom_for(platform, deployment_id, context, user, role, memberships_url)
    return db.session.get(Classroom, classroom_id)


def link_for(classroom: Classroom, platform: LtiPlatform, deployment_id: str, context_id: str,
             data: Mapping[str, Any]) -> LtiResourceLink:
    """The placement, with what its launch says it opens and its AGS endpoints (the latest launch wins)."""
    claim = data.get(LTI + "resource_link") or {}
    link_id = str(claim.get("id") or "")[:255]
    if not link_id:
        raise LaunchRefused("bad_message", "The LMS sent no resource link with this launch.")
    custom = data.get(LTI + "custom") or {}
    kind = custom.get("resetlab_kind") if custom.get("resetlab_kind") in KINDS else "home"
    target = custom.get("resetlab_bank") if kind == "assignment" else custom.get("resetlab_lesson")
    ags = data.get(AGS) or {}
    context_row = db.session.scalar(db.select(LtiContext.id).where(
        LtiContext.platform_id == platform.id, LtiContext.deployment_id == deployment_id,
        LtiContext.context_id == context_id))
    values = {"kind": kind, "target": str(target)[:100] if isinstance(target, str) else None,
              "lineitem_url": _url(ags.get("lineitem")), "lineitems_url": _url(ags.get("lineitems")),
              "scopes": [s for s in ags.get("scope", []) if isinstance(s, str)], "updated_at": utcnow()}
    begin_write()
    updated = db.session.execute(db.update(LtiResourceLink).where(
        LtiResourceLink.lti_context_id == context_row, LtiResourceLink.resource_link_id == link_id)
        .values(**values)).rowcount
    if not updated:
        db.session.add(LtiResourceLink(lti_context_id=context_row, resource_link_id=link_id, **values))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return link_for(classroom, platform, deployment_id, context_id, data)
    return db.session.scalar(db.select(LtiResourceLink).where(
        LtiResourceLink.lti_context_id == context_row, LtiResourceLink.resource_link_id == link_id))


def _url(value: Any) -> str | None:
    return value[:500] if isinstance(value, str) and value.startswith(("https://", "http://")) else None


def _teachers(classroom: Classroom) -> set[int]:
    return {classroom.instructor_id} | set(db.session.scalars(
        db.select(ClassroomInstructor.user_id).where(ClassroomInstructor.classroom_id == classroom.id)))


def bank_allowed(slug: str, classroom: Classroom) -> Bank | None:
    """The bank a link names, if this class may use it: a shipped one, or an instructor's own bank whose
    owner teaches this class (an LMS teacher could type any slug into a link's custom parameters)."""
    from ..course import any_bank, get_catalog

    if get_catalog().bank(slug) is not None:
        return get_catalog().bank(slug)
    number = bank_number(slug)
    owner = db.session.scalar(db.select(QuestionBank.owner_id).where(QuestionBank.id == number)) \
        if number else None
    return any_bank(slug) if owner is not None and owner in _teachers(classroom) else None


def _when(value: Any) -> datetime | None:
    """An LMS date (ISO 8601, from $ResourceLink.submission.endDateTime) as naive UTC, else None."""
    if not isinstance(value, str) or not value or value.startswith("$") or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed if 2000 <= parsed.year <= 2199 else None


def _number(value: Any, low: int, high: int) -> int | None:
    text = str(value) if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() and low <= int(text) <= high else None


def assignment_for(link: LtiResourceLink, classroom: Classroom, custom: Mapping[str, Any],
                   now: datetime) -> Assignment:
    """The assignment of a graded placement: made on its first launch from the settings the deep link wrote
    (attempts, grading, questions per attempt, time limit, reveal, dates); later launches reuse it."""
    if link.assignment_id is not None:
        found = db.session.get(Assignment, link.assignment_id)
        if found is not None:
            return found
    bank = bank_allowed(link.target or "", classroom)
    if bank is None:
        raise LaunchRefused("unknown_content", "This link names a quiz Reset Lab does not have, or one that "
                                               "belongs to another instructor.")
    due = _when(custom.get("resetlab_due")) or now + NO_DUE_DATE
    opens = min(_when(custom.get("resetlab_open")) or now - timedelta(minutes=1), due - timedelta(minutes=1))
    grading = custom.get("resetlab_grading")
    grading = grading if grading in set(Grading) else Grading.HIGHEST
    reveal = custom.get("resetlab_reveal")
    reveal = reveal if reveal in set(Reveal) else Reveal.IMMEDIATELY
    draw = _number(custom.get("resetlab_draw"), 1, 60) or bank.draw
    link_id = link.id
    begin_write()
    assignment = Assignment(classroom_id=classroom.id, bank_slug=bank.slug, title=bank.title, open_at=opens,
                            due_at=due, attempts_allowed=_number(custom.get("resetlab_attempts"), 1, 50),
                            grading=grading, reveal=reveal,
                            time_limit_minutes=_number(custom.get("resetlab_time"), 1, 600),
                            draw=min(draw, len(bank.questions)) if bank.pool == "bank" else draw)
    db.session.add(assignment)
    db.session.flush()
    claimed = db.session.execute(db.update(LtiResourceLink).where(
        LtiResourceLink.id == link_id, LtiResourceLink.assignment_id.is_(None))
        .values(assignment_id=assignment.id)).rowcount
    if not claimed:  # a parallel first launch made it: use theirs
        db.session.rollback()
        existing = db.session.scalar(db.select(LtiResourceLink.assignment_id)
                                     .where(LtiResourceLink.id == link_id))
        return db.session.get(Assignment, existing)
    db.session.commit()
    return assignment


@dataclass(frozen=True)
class Place:
    """Where a launch lands: an endpoint and its arguments."""

    endpoint: str
    values: Mapping[str, Any]


def provision(platform: LtiPlatform, data: Mapping[str, Any], now: datetime) -> tuple[User, Place]:
    """Everything a validated launch means here, and where it goes."""
    role = context_role(data.get(LTI + "roles") or [])
    if role is None:
        raise LaunchRefused("role", "Reset Lab opens for the course's instructors, teaching assistants and "
                                    "learners; your role in this course is none of those.")
    user = user_for(platform.issuer, str(data["sub"])[:255], display_name(data), role != "learner")
    deployment_id = str(data.get(LTI + "deployment_id"))[:255]
    context = data.get(LTI + "context") or {}
    nrps = (data.get(NRPS) or {}).get("context_memberships_url")
    classroom = classroom_for(platform, deployment_id, context, user, role, _url(nrps))
    if data.get(LTI + "message_type") == DEEP_LINKING:
        if role == "learner":
            raise LaunchRefused("role", "Only the course's instructors can add Reset Lab content.")
        return user, Place("lti.pick", {})
    link = link_for(classroom, platform, deployment_id, str(context.get("id")), data)
    teaching = role != "learner"
    if link.kind == "assignment":
        assignment = assignment_for(link, classroom, data.get(LTI + "custom") or {}, now)
        if teaching:
            return user, Place("teach.assignment", {"assignment_id": assignment.id})
        return user, Place("classwork.assignment", {"assignment_id": assignment.id})
    if link.kind == "lesson" and link.target:
        from ..course import get_catalog

        if get_catalog().lesson(link.target) is not None:
            return user, Place("study.lesson", {"slug": link.target})
    if teaching:
        return user, Place("teach.classroom", {"classroom_id": classroom.id})
    return user, Place("study.index", {})


def platform_of(data: Mapping[str, Any]) -> LtiPlatform:
    """The registration a validated launch came through."""
    from .keys import platform_for

    aud = data.get("aud")
    client_id = aud[0] if isinstance(aud, list) and aud else aud
    platform = platform_for(str(data.get("iss")), str(client_id))
    if platform is None:  # removed between validation and now
        raise LaunchRefused("unknown_platform", "This LMS is not registered with Reset Lab.")
    return platform


@dataclass(frozen=True)
class Choice:
    """Something an LMS teacher can place with Deep Linking: a lesson to read, or a quiz to grade."""

    kind: str
    slug: str
    title: str


def deep_link_choices(user: User) -> list[Choice]:
    """The course's lessons and lesson quizzes, the course-wide exams, and the teacher's own banks."""
    from ..banks.services import banks_of
    from ..course import get_catalog

    catalog = get_catalog()
    out = [Choice("lesson", lesson.slug, lesson.title) for lesson in catalog.lessons]
    paired = [catalog.bank_for_lesson(lesson.slug) for lesson in catalog.lessons]
    exams = [bank for bank in catalog.banks.values() if bank.pool == "course"]
    out += [Choice("assignment", bank.slug, bank.title) for bank in [*paired, *exams] if bank is not None]
    out += [Choice("assignment", f"b{bank.id}", f"{bank.title} (your bank)") for bank, _ in banks_of(user)]
    return out


@dataclass(frozen=True)
class LmsStatus:
    """A class's LMS side: its course, whether it can sync the roster, and scores not delivered."""

    context: LtiContext
    platform: LtiPlatform
    pending: int
    dead: list[LtiScoreOutbox]


def lms_status(classroom: Classroom) -> LmsStatus | None:
    """The class's LMS link, if the class came from an LMS course (None otherwise)."""
    row = db.session.execute(db.select(LtiContext, LtiPlatform).join(LtiPlatform, LtiPlatform.id ==
                                                                      LtiContext.platform_id)
                             .where(LtiContext.classroom_id == classroom.id)).first()
    if row is None:
        return None
    links = db.select(LtiResourceLink.id).where(LtiResourceLink.lti_context_id == row[0].id)
    pending = db.session.scalar(db.select(db.func.count(LtiScoreOutbox.id)).where(
        LtiScoreOutbox.link_id.in_(links), LtiScoreOutbox.status == "pending")) or 0
    dead = list(db.session.scalars(db.select(LtiScoreOutbox).where(
        LtiScoreOutbox.link_id.in_(links), LtiScoreOutbox.status == "dead").order_by(LtiScoreOutbox.id)))
    return LmsStatus(row[0], row[1], pending, dead)


def all_frame_origins() -> list[str]:
    """Every active registration's frame origins (for LTI pages shown before a launch made a session)."""
    rows = db.session.scalars(db.select(LtiPlatform.frame_origins).where(LtiPlatform.active.is_(True)))
    return sorted({o for origins in rows for o in origins or []})


def is_lms_class(classroom_id: int) -> bool:
    """Whether a class came from an LMS course (for the class navigation)."""
    found = db.session.scalar(db.select(LtiContext.id).where(LtiContext.classroom_id == classroom_id))
    return found is not None
