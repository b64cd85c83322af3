"""LTI 1.3: OIDC login initiation, launch, the tool's key set, the Deep Linking picker, a class's LMS page.

Only /lti/login and /lti/launch skip CSRF: they carry a signed OIDC exchange (state, nonce, id_token)
that plays that part. Every launch ends in a 303, so a reload never re-posts the token.

pylti1p3, requests, PyJWT and cryptography (through .launch, .keys, .roster and .sender) are imported in
the views that use them, never at start-up: a web worker that serves no LTI request does not carry them
(tests/lti/test_lazy.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user

from ..auth.mail import public_link
from ..core.errors import Conflict, NotFound
from ..extensions import csrf
from ..models import utcnow
from ..teach.services import classroom_for_instructor
from ..web.access import instructor_required, public
from ..web.forms import ActionForm
from ..web.security import CSP
from ..web.sessions import new_session
from . import services
from .forms import PickForm, SendAgainForm

if TYPE_CHECKING:
    from .launch import Refusal

bp = Blueprint("lti", __name__, url_prefix="/lti")
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
PICKING = "lti_deep_link"


def tool_url(endpoint: str, **values: str) -> str:
    """An absolute URL of the tool: on RESETLAB_PUBLIC_URL when set (what the LMS was told), else the
    request's own address."""
    if current_app.config["PUBLIC_URL"]:
        return public_link(current_app, endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def refused(refusal: Refusal, detail: str = ""):
    """The page for a refused launch: what happened, what to do, a reason code for the administrator."""
    current_app.logger.warning("LTI launch refused (%s): %s", refusal.reason, detail)
    return render_template("lti/error.html", refusal=refusal), refusal.status


@bp.route("/login", methods=["GET", "POST"])
@public
@csrf.exempt
def login():
    """OIDC third-party login initiation: off to the LMS's authorization endpoint (state cookie set)."""
    from pylti1p3.exception import LtiException, OIDCException

    from . import keys
    from .launch import Refusal, oidc_login, refusal_for

    try:
        return oidc_login().redirect(tool_url("lti.launch"))
    except (OIDCException, LtiException) as err:
        return refused(refusal_for(str(err)), str(err))
    except keys.NoToolKey as err:
        return refused(Refusal("no_tool_key", str(err), 503), str(err))


@bp.post("/launch")
@public
@csrf.exempt
def launch():
    """A launch from the LMS: validated, the person signed in (a fresh session), sent where it points."""
    from pylti1p3.exception import LtiException

    from . import keys
    from .launch import BAD_MESSAGE, Refusal, message_launch, refusal_for

    try:
        message = message_launch()
        data = message.get_launch_data()
    except LtiException as err:
        return refused(refusal_for(str(err)), str(err))
    except keys.NoToolKey as err:
        return refused(Refusal("no_tool_key", str(err), 503), str(err))
    except (AttributeError, KeyError, TypeError, ValueError) as err:  # pylti1p3 on a shape it did not expect
        return refused(BAD_MESSAGE, f"{type(err).__name__}: {err}")
    try:
        platform = services.platform_of(data)
        user, place = services.provision(platform, data, utcnow())
    except services.LaunchRefused as err:
        return refused(Refusal(err.reason, str(err), 403), str(err))
    new_session(user)  # a fresh session with its own CSRF secret: nothing from before survives (as at log-in)
    session["lti"] = {"platform": platform.id, "frame": list(platform.frame_origins)}
    if place.endpoint == "lti.pick":
        session[PICKING] = message.get_launch_id()
    return redirect(url_for(place.endpoint, **place.values), code=303)


@bp.get("/jwks")
@public
def jwks():
    """The tool's public keys (JWKS), for platforms to check our signatures."""
    from . import keys

    response = jsonify(keys.jwks())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _custom(kind: str, slug: str, form: PickForm) -> dict[str, str]:
    """What the placed link carries back on every launch (custom parameters), dates from the LMS."""
    if kind == "lesson":
        return {"resetlab_kind": "lesson", "resetlab_lesson": slug}
    custom = {"resetlab_kind": "assignment", "resetlab_bank": slug, "resetlab_grading": form.grading.data,
              "resetlab_reveal": form.reveal.data, "resetlab_due": "$ResourceLink.submission.endDateTime",
              "resetlab_open": "$ResourceLink.available.startDateTime"}
    for key, value in (("resetlab_attempts", form.attempts.data), ("resetlab_draw", form.draw.data),
                       ("resetlab_time", form.time_limit.data)):
        if value:
            custom[key] = str(value)
    return custom


@bp.route("/pick", methods=["GET", "POST"])
@instructor_required
def pick():
    """Deep Linking: the LMS teacher picks a lesson or a quiz (with grading settings) to place in the
    course; the signed answer goes back to the LMS."""
    from pylti1p3.exception import LtiException
    from pylti1p3.lineitem import LineItem

    from . import keys
    from .launch import CleanDeepLinkResource, Refusal, refusal_for, restored_launch

    launch_id = session.get(PICKING)
    if not isinstance(launch_id, str):
        return refused(Refusal("launch_gone", "There is no LMS request to add content here. Start again from "
                                              "the LMS.", 404))
    try:
        message = restored_launch(launch_id)
        settings = message.get_launch_data().get(DL + "deep_linking_settings") or {}
    except LtiException as err:
        return refused(refusal_for(str(err)), str(err))
    if not message.is_deep_link_launch() or "ltiResourceLink" not in settings.get("accept_types", []):
        return refused(Refusal("bad_message", "The LMS did not ask for links Reset Lab can make."))
    choices = {f"{c.kind}:{c.slug}": c for c in services.deep_link_choices(current_user)}
    form = PickForm()
    form.choice.choices = [(key, ("Quiz: " if c.kind == "assignment" else "Lesson: ") + c.title)
                           for key, c in choices.items()]
    if form.validate_on_submit():
        chosen = choices[form.choice.data]
        resource = (CleanDeepLinkResource().set_url(tool_url("lti.launch")).set_title(chosen.title)
                    .set_custom_params(_custom(chosen.kind, chosen.slug, form)))
        if chosen.kind == "assignment":
            resource.set_lineitem(LineItem().set_score_maximum(100).set_label(chosen.title)
                                  .set_resource_id(f"resetlab:{chosen.slug}").set_tag("resetlab-quiz"))
        token = message.get_deep_link().get_response_jwt([resource])
        session.pop(PICKING, None)
        target = settings["deep_link_return_url"]
        response = make_response(render_template("lti/deep_link_return.html", action=target, jwt=token,
                                                 title=chosen.title))
        response.headers["Content-Security-Policy"] = CSP.replace(
            "form-action 'self'", f"form-action 'self' {keys.origin(target)}")
        return response
    status = 422 if form.is_submitted() else 200
    return render_template("lti/pick.html", form=form, choices=choices), status


def _lms_class(classroom_id: int):
    classroom = classroom_for_instructor(current_user, classroom_id)
    status = services.lms_status(classroom)
    if status is None:
        raise NotFound(classroom_id)
    return classroom, status


@bp.get("/classes/<id:classroom_id>")
@instructor_required
def classroom(classroom_id: int):
    """A class's LMS side: its course, roster sync, and scores the LMS has not taken yet."""
    room, status = _lms_class(classroom_id)
    return render_template("lti/class.html", classroom=room, status=status, form=SendAgainForm())


@bp.post("/classes/<id:classroom_id>/sync")
@instructor_required
def sync(classroom_id: int):
    """Bring the roster in line with the LMS course (Names and Role Provisioning)."""
    from pylti1p3.exception import LtiException

    from .roster import sync_roster

    room, _ = _lms_class(classroom_id)
    if ActionForm().validate_on_submit():
        try:
            report = sync_roster(room, utcnow())
        except Conflict as err:
            flash(str(err), "error")
        except (LtiException, OSError, ValueError) as err:
            current_app.logger.warning("NRPS sync failed: %s", err)
            flash("The LMS did not answer the roster request; nothing changed. Try again later.", "error")
        else:
            flash(f"Roster synced: {report.learners} learners active, {report.instructors} instructors, "
                  f"{report.inactive} taken off.", "success")
    return redirect(url_for("lti.classroom", classroom_id=room.id))


@bp.post("/classes/<id:classroom_id>/send-again")
@instructor_required
def send_again(classroom_id: int):
    """Queue an undelivered score again."""
    from .sender import send_again as queue_again

    room, _ = _lms_class(classroom_id)
    form = SendAgainForm()
    if form.validate_on_submit() and form.score.data.isascii() and form.score.data.isdigit():
        queue_again(room.id, int(form.score.data[:10]), utcnow())
        flash("The score will be sent again in a moment.", "success")
    return redirect(url_for("lti.classroom", classroom_id=room.id))
