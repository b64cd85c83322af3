"""Names and Role Provisioning: bring a class's roster in line with its LMS course, on demand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pylti1p3.names_roles import NamesRolesProvisioningService

from ..core.errors import Conflict
from ..database import begin_write, insert_ignoring_duplicates
from ..extensions import db
from ..models import Classroom, ClassroomInstructor, Enrollment, LtiContext, LtiIdentity, LtiPlatform, utcnow
from .sender import CachedTokenConnector
from .services import context_role, display_name, user_for


@dataclass
class SyncReport:
    """What a roster sync changed."""

    learners: int = 0
    instructors: int = 0
    inactive: int = 0
    skipped: int = 0


def sync_roster(classroom: Classroom, now: datetime) -> SyncReport:
    """Active learners become active members, instructors and assistants co-instructors; learners the LMS
    lists as inactive or deleted, or no longer lists, are taken off (their work stays). People are matched
    by (issuer, LMS user id) only; names may be missing, as the LMS's privacy settings decide."""
    from .keys import registration_for
    from .launch import http_session

    row = db.session.execute(
        db.select(LtiContext, LtiPlatform).join(LtiPlatform, LtiPlatform.id == LtiContext.platform_id)
        .where(LtiContext.classroom_id == classroom.id)).first()
    if row is None or not row[0].memberships_url:
        raise Conflict("This class's LMS course offers no roster service (Names and Role Provisioning).")
    context, platform = row
    connector = CachedTokenConnector(registration_for(platform), platform.id, http_session())
    service = NamesRolesProvisioningService(connector, {"context_memberships_url": context.memberships_url,
                                                        "service_versions": ["2.0"]})
    members = service.get_members()
    report = SyncReport()
    listed: set[int] = set()
    for member in members:
        role = context_role(member.get("roles") or [])
        sub = member.get("user_id")
        if role is None or not isinstance(sub, str) or not sub:
            report.skipped += 1
            continue
        user = user_for(platform.issuer, sub[:255], display_name(member), role != "learner")
        active = member.get("status", "Active") == "Active"
        begin_write()
        if role == "learner":
            listed.add(user.id)
            changed = db.session.execute(db.update(Enrollment).where(
                Enrollment.classroom_id == classroom.id, Enrollment.user_id == user.id)
                .values(active=active, removed_at=None if active else now)).rowcount
            if not changed and active:
                db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id))
            report.learners += active
            report.inactive += not active
        elif user.id != classroom.instructor_id and active:
            insert_ignoring_duplicates(ClassroomInstructor, [{
                "classroom_id": classroom.id, "user_id": user.id, "assistant": role == "assistant",
                "added_at": now}])
            report.instructors += 1
        db.session.commit()
    from_lms = db.select(LtiIdentity.user_id).where(LtiIdentity.issuer == platform.issuer)
    begin_write()
    report.inactive += db.session.execute(db.update(Enrollment).where(
        Enrollment.classroom_id == classroom.id, Enrollment.active.is_(True),
        Enrollment.user_id.in_(from_lms), Enrollment.user_id.not_in(listed or {0}))
        .values(active=False, removed_at=now)).rowcount
    db.session.execute(db.update(LtiContext).where(LtiContext.id == context.id).values(synced_at=utcnow()))
    db.session.commit()
    return report
