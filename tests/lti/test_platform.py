"""The LTI test platform, checked with plain HTTP and against pylti1p3's own validation (a minimal tool)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
from flask import Flask, Response, jsonify, request, url_for
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, LtiServiceException, OIDCException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem as ToolLineItem
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector
from pylti1p3.tool_config import ToolConfDict
from werkzeug.serving import make_server

from .platform import (
    AGS_CLAIM,
    ASSERTION_TYPE,
    DL,
    INSTRUCTOR,
    LEARNER,
    LTI,
    NRPS_CLAIM,
    SCOPE_LINEITEM,
    SCOPE_NRPS,
    SCOPE_SCORE,
    TEACHING_ASSISTANT,
    Context,
    Forgery,
    PlatformBrowser,
    ResourceLink,
    TestPlatform,
    ToolRegistration,
    User,
    generate_rsa_key,
    parse_forms,
    private_pem,
    public_jwk,
    public_pem,
)

ANA = User("ana-sub-1", name="Ana Lima", given_name="Ana", family_name="Lima", email="ana@example.org")
BOB = User("bob-sub-2", name="Bob Ray", given_name="Bob", family_name="Ray")
TEACHER = User("teacher-sub-9", name="Ms Kay", given_name="Kay", family_name="Ito")
COURSE = Context("course-101", label="HIST 101", title="U.S.-Russia relations")
LINK = ResourceLink("rl-quiz-1", title="Quiz: the 2009 reset")
TOOL_KEY = generate_rsa_key()


class DictCache:
    """The get/set(key, value, timeout) interface FlaskCacheDataStorage expects, in a dict."""

    def __init__(self) -> None:
        self.data: dict[str, tuple[Any, float | None]] = {}

    def get(self, key: str) -> Any:
        """The value, or None when missing or expired."""
        value, expires = self.data.get(key, (None, None))
        return None if expires is not None and expires < time.time() else value

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        """Store a value for `timeout` seconds (forever when None)."""
        self.data[key] = (value, time.time() + timeout if timeout else None)


class MiniTool:
    """The smallest pylti1p3 tool: login, launch, grade, members, deep link, JWKS."""

    def __init__(self, *, strict_nonce: bool = False) -> None:
        self.strict_nonce = strict_nonce
        self.cache = DictCache()
        self.registration: ToolRegistration | None = None
        self.app = self._app()
        self._server: Any = None

    def conf(self) -> ToolConfDict:
        """pylti1p3's configuration from the platform's registration data and the tool key."""
        assert self.registration is not None
        reg = self.registration
        conf = ToolConfDict(reg.pylti1p3_config())
        conf.set_private_key(reg.issuer, private_pem(TOOL_KEY), client_id=reg.client_id)
        conf.set_public_key(reg.issuer, public_pem(TOOL_KEY), client_id=reg.client_id)
        return conf

    def serve(self) -> str:
        """Serve on a free loopback port; returns the base URL."""
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _launch_class(self) -> type[FlaskMessageLaunch]:
        cache, strict = self.cache, self.strict_nonce

        class Launch(FlaskMessageLaunch):
            def save_launch_data(self):  # runs last, after every check passed
                if strict:
                    key = "used-nonce-" + self._get_jwt_body()["nonce"]
                    if cache.get(key):
                        raise LtiException("Replayed launch: nonce already used")
                    cache.set(key, True, 3600)
                return super().save_launch_data()

        return Launch

    def _cached(self, launch_id: str) -> FlaskMessageLaunch:
        return self._launch_class().from_cache(launch_id, FlaskRequest(), self.conf(),
                                               launch_data_storage=FlaskCacheDataStorage(self.cache))

    def _app(self) -> Flask:
        app = Flask("mini_tool")
        app.secret_key = "mini-tool-secret"

        @app.get("/jwks")
        def jwks():
            return jsonify(self.conf().get_jwks())

        @app.route("/login", methods=["GET", "POST"])
        def login():
            storage = FlaskCacheDataStorage(self.cache)
            oidc = FlaskOIDCLogin(FlaskRequest(), self.conf(), launch_data_storage=storage)
            try:
                return oidc.enable_check_cookies().redirect(url_for("launch", _external=True))
            except OIDCException as err:
                return Response(f"OIDC login refused: {err}", 400)

        @app.post("/launch")
        def launch():
            storage = FlaskCacheDataStorage(self.cache)
            message = self._launch_class()(FlaskRequest(), self.conf(), launch_data_storage=storage)
            try:
                data = message.get_launch_data()
            except LtiException as err:
                return Response(f"LTI launch refused: {err}", 403)
            except Exception as err:  # ToolConfDict raises plain Exception for unknown iss/client
                return Response(f"LTI launch refused ({type(err).__name__}): {err}", 403)
            return jsonify(launch_id=message.get_launch_id(), sub=data["sub"],
                           message_type=data[LTI + "message_type"], custom=data.get(LTI + "custom", {}),
                           teacher=message.check_teacher_access(), student=message.check_student_access(),
                           ta=message.check_teaching_assistant_access())

        @app.post("/grade/<launch_id>")
        def grade(launch_id: str):
            message = self._cached(launch_id)
            score = (Grade().set_score_given(float(request.form["score"])).set_score_maximum(10)
                     .set_timestamp(request.form.get("timestamp") or datetime.now(UTC).isoformat())
                     .set_activity_progress("Completed").set_grading_progress("FullyGraded")
                     .set_user_id(request.form.get("user") or message.get_launch_data()["sub"]))
            item = None
            if request.form.get("tag"):
                item = (ToolLineItem().set_tag(request.form["tag"]).set_label(request.form["tag"])
                        .set_score_maximum(10).set_resource_link_id(LINK.id))
            try:
                result = message.get_ags().put_grade(score, item)
            except LtiServiceException as err:
                return jsonify(error=str(err), status=err.response.status_code), 502
            return jsonify(body=result["body"])

        @app.get("/members/<launch_id>")
        def members(launch_id: str):
            return jsonify(self._cached(launch_id).get_nrps().get_members())

        @app.post("/deep/<launch_id>")
        def deep(launch_id: str):
            resource = (DeepLinkResource().set_url(url_for("launch", _external=True))
                        .set_title("Lesson 3 quiz")
                        .set_custom_params({"lesson": "03-new-start", "mode": "assignment"})
                        .set_lineitem(ToolLineItem().set_score_maximum(10).set_label("Lesson 3 quiz")))
            return self._cached(launch_id).get_deep_link().output_response_form([resource])

        return app


@pytest.fixture
def platform() -> Iterator[TestPlatform]:
    with TestPlatform() as running:
        yield running


@pytest.fixture
def served(platform: TestPlatform) -> Iterator[tuple[TestPlatform, MiniTool, str]]:
    """A platform and a live mini tool registered with it."""
    tool = MiniTool()
    base = tool.serve()
    tool.registration = platform.register_tool(login_url=base + "/login", target_link_uri=base + "/launch",
                                               jwks_url=base + "/jwks")
    yield platform, tool, base
    tool.stop()


def launch(platform: TestPlatform, browser: PlatformBrowser | None = None, **kwargs: Any) -> dict[str, Any]:
    """Launch in a fresh (or given) browser; the mini tool's JSON answer."""
    kwargs.setdefault("user", ANA)
    page = (browser or PlatformBrowser()).open(platform.launch_url(**kwargs))
    assert page.status == 200, page.text
    return json.loads(page.text)


def assertion(reg: ToolRegistration, platform: TestPlatform, **overrides: Any) -> str:
    """A client assertion JWT signed with the tool key (claims overridable; key=... to sign with another)."""
    now = int(time.time())
    claims = {"iss": reg.client_id, "sub": reg.client_id, "aud": platform.token_url, "iat": now,
              "exp": now + 60, "jti": f"jti-{time.time_ns()}"}
    key = overrides.pop("key", TOOL_KEY)
    kid = overrides.pop("kid", tool_kid())
    claims.update(overrides)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def auth_request(reg: ToolRegistration, params: dict[str, str], **extra: str) -> dict[str, str]:
    """The authentication request pylti1p3 would send for these login-initiation params."""
    return {"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
            "client_id": reg.client_id, "redirect_uri": reg.target_link_uri,
            "login_hint": params["login_hint"], "lti_message_hint": params["lti_message_hint"], **extra}


# ----- plain HTTP --------------------------------------------------------------------------------------


def test_jwks_and_a_launch_id_token_verified_with_pyjwt(platform: TestPlatform) -> None:
    status, _, body = platform.http("GET", platform.jwks_url)
    assert status == 200 and json.loads(body)["keys"][0]["kid"] == platform.kid
    reg = platform.register_tool(login_url="http://127.0.0.1:9/login", target_link_uri="http://127.0.0.1:9/launch",
                                 jwks={"keys": []})
    url = platform.launch_url(ANA, [LEARNER], COURSE, LINK, {"lesson": "02-reset"})
    status, headers, _ = platform.http("GET", url)
    assert status == 302 and headers["Location"].startswith(reg.login_url + "?")
    _, _, params = platform.login_initiation(url)
    assert params["iss"] == platform.issuer and params["lti_deployment_id"] == reg.deployment_id
    query = auth_request(reg, params, nonce="n-123", state="s-456")
    action, fields = platform.authorize(platform.auth_url + "?" + urlencode(query))
    assert action == reg.target_link_uri and fields["state"] == "s-456"
    signing_key = jwt.PyJWKClient(platform.jwks_url).get_signing_key_from_jwt(fields["id_token"])
    claims = jwt.decode(fields["id_token"], signing_key.key, algorithms=["RS256"], audience=reg.client_id,
                        issuer=platform.issuer)
    assert claims["sub"] == ANA.sub and claims["nonce"] == "n-123" and claims["email"] == ANA.email
    assert claims[LTI + "message_type"] == "LtiResourceLinkRequest" and claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == reg.deployment_id and claims[LTI + "roles"] == [LEARNER]
    assert claims[LTI + "context"]["id"] == COURSE.id and claims[LTI + "resource_link"]["id"] == LINK.id
    assert claims[LTI + "custom"] == {"lesson": "02-reset"}
    ags = claims[AGS_CLAIM]
    assert SCOPE_SCORE in ags["scope"] and ags["lineitem"].startswith(ags["lineitems"] + "/")
    assert claims[NRPS_CLAIM]["context_memberships_url"] == platform.memberships_url(COURSE)


@pytest.mark.parametrize("change, message", [
    ({"response_mode": "query"}, "response_mode must be 'form_post'"),
    ({"scope": "profile"}, "scope must be 'openid'"),
    ({"prompt": "login"}, "prompt must be 'none'"),
    ({"redirect_uri": "http://127.0.0.1:9/elsewhere"}, "redirect_uri not registered"),
    ({"login_hint": "login-someone-else"}, "login_hint does not match"),
    ({"nonce": ""}, "missing nonce"),
    ({"client_id": "stranger"}, "unknown client_id"),
])
def test_auth_endpoint_refuses_bad_authentication_requests(platform: TestPlatform, change: dict[str, str],
                                                           message: str) -> None:
    reg = platform.register_tool(login_url="http://127.0.0.1:9/login", target_link_uri="http://127.0.0.1:9/launch",
                                 jwks={"keys": []})
    _, _, params = platform.login_initiation(platform.launch_url(ANA, [LEARNER], COURSE))
    query = {**auth_request(reg, params, nonce="n", state="s"), **change}
    status, _, body = platform.http("POST", platform.auth_url, query)
    assert status == 400 and message in body
    assert platform.auth_errors and not platform.launches


def test_token_endpoint_verifies_the_client_assertion(served) -> None:
    platform, tool, _ = served
    reg = tool.registration
    form = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "scope": f"{SCOPE_SCORE} {SCOPE_NRPS} https://example.org/not-allowed"}
    good = assertion(reg, platform)
    status, _, body = platform.http("POST", platform.token_url, {**form, "client_assertion": good})
    token = json.loads(body)
    assert status == 200 and token["token_type"] == "Bearer"
    assert token["scope"] == f"{SCOPE_SCORE} {SCOPE_NRPS}"
    bad = {
        "replayed jti": good,
        "other key": assertion(reg, platform, key=generate_rsa_key()),
        "wrong audience": assertion(reg, platform, aud="http://127.0.0.1:9/token"),
        "expired": assertion(reg, platform, iat=int(time.time()) - 600, exp=int(time.time()) - 300),
        "sub is not the client": assertion(reg, platform, sub="someone"),
        "unknown kid": assertion(reg, platform, kid="nope"),
        "unknown client": assertion(reg, platform, iss="stranger", sub="stranger"),
        "no jti": assertion(reg, platform, jti=None),
    }
    for name, value in bad.items():
        status, _, body = platform.http("POST", platform.token_url, {**form, "client_assertion": value})
        assert status == 401 and json.loads(body)["error"] == "invalid_client", name
    form["client_assertion"] = assertion(reg, platform)
    status, _, body = platform.http("POST", platform.token_url, {**form, "grant_type": "password"})
    assert status == 400 and json.loads(body)["error"] == "unsupported_grant_type"
    form["client_assertion"] = assertion(reg, platform)
    status, _, body = platform.http("POST", platform.token_url, {**form, "scope": "https://example.org/x"})
    assert status == 400 and json.loads(body)["error"] == "invalid_scope"
    assert [r["ok"] for r in platform.token_requests].count(True) == 1


def test_services_need_a_bearer_token_with_the_right_scope(platform: TestPlatform) -> None:
    reg = platform.register_tool(login_url="http://127.0.0.1:9/login", target_link_uri="http://127.0.0.1:9/launch",
                                 jwks={"keys": []})
    platform.add_member(COURSE, ANA, [LEARNER])
    item = platform.add_lineitem(COURSE, label="Quiz", score_maximum=10, resource_link=LINK)
    assert platform.http("GET", platform.lineitems_url(COURSE))[0] == 401
    nrps_only = {"Authorization": "Bearer " + platform.issue_token(reg.client_id, [SCOPE_NRPS])}
    assert platform.http("GET", platform.lineitems_url(COURSE), headers=nrps_only)[0] == 403
    stale = platform.issue_token(reg.client_id, [SCOPE_LINEITEM], lifetime=-1)
    expired = {"Authorization": "Bearer " + stale}
    assert platform.http("GET", platform.lineitems_url(COURSE), headers=expired)[0] == 401
    auth = {"Authorization": "Bearer " + platform.issue_token(reg.client_id)}
    status, _, body = platform.http("GET", platform.lineitems_url(COURSE), headers=auth)
    assert status == 200 and json.loads(body)[0]["id"] == platform.lineitem_url(item)

    def post_score(user: str, given: float, stamp: str) -> int:
        score = {"userId": user, "scoreGiven": given, "scoreMaximum": 10, "timestamp": stamp,
                 "activityProgress": "Completed", "gradingProgress": "FullyGraded"}
        return platform.http("POST", platform.lineitem_url(item) + "/scores", headers=auth, json_body=score,
                             content_type="application/vnd.ims.lis.v1.score+json")[0]

    assert post_score(ANA.sub, 9, "2026-03-01T10:00:00+00:00") == 200
    assert post_score(ANA.sub, 4, "2026-03-01T09:00:00+00:00") == 200  # older: recorded, not applied
    assert post_score("internal-user-17", 5, "2026-03-01T10:00:00+00:00") == 422  # not an LTI user id
    assert post_score(ANA.sub, 5, "yesterday") == 400
    assert [s.applied for s in platform.scores] == [True, False]
    assert platform.result(ANA, item).score_given == 9
    assert len(platform.score_errors) == 2


def test_embedded_launch_page_and_post_login_initiation(platform: TestPlatform) -> None:
    platform.register_tool(login_url="http://127.0.0.1:9/login", target_link_uri="http://127.0.0.1:9/launch",
                           jwks={"keys": []})
    framed = platform.launch_url(ANA, [LEARNER], COURSE, embed=True)
    status, _, body = platform.http("GET", framed)
    assert status == 200 and f'src="{framed.replace("/frame/", "/launch/")}"' in body
    posted = platform.launch_url(ANA, [LEARNER], COURSE, login_method="POST")
    status, _, body = platform.http("GET", posted)
    form = parse_forms(body)[0]
    assert status == 200 and form["action"] == "http://127.0.0.1:9/login" and form["method"] == "POST"
    assert form["fields"]["lti_message_hint"] and "<button" in body
    status, _, body = platform.http("GET", platform.url("/return?lti_errormsg=No+such+lesson"))
    assert status == 200 and "No such lesson" in body
    assert platform.returns == [{"lti_errormsg": "No such lesson"}]


# ----- against pylti1p3 ---------------------------------------------------------------------------------


def test_pylti1p3_accepts_a_resource_link_launch(served) -> None:
    platform, tool, _ = served
    answer = launch(platform, roles=[INSTRUCTOR], context=COURSE, resource_link=LINK, custom={"lesson": "01"})
    assert answer["sub"] == ANA.sub and answer["message_type"] == "LtiResourceLinkRequest"
    assert answer["teacher"] and not answer["student"] and answer["custom"] == {"lesson": "01"}
    assert launch(platform, user=BOB, roles=[TEACHING_ASSISTANT], context=COURSE, login_method="POST")["ta"]
    assert len(platform.launches) == 2


@pytest.mark.parametrize("forgery, message", [
    (Forgery(expired=True), "Can't decode id_token: Signature has expired"),
    (Forgery(iat_offset=120), "Can't decode id_token: The token is not yet valid (iat)"),
    (Forgery(wrong_key=True), "Can't decode id_token: Signature verification failed"),
    (Forgery(unknown_kid=True), "Unable to find public key"),
    (Forgery(deployment_id="deployment-unknown"), "Unable to find deployment"),
    (Forgery(nonce="forged-nonce"), "Invalid Nonce"),
    (Forgery(audience="another-client"), "(Exception): iss http://127.0.0.1:"),
    (Forgery(issuer="https://evil.example"), "(Exception): iss https://evil.example not found in settings"),
    (Forgery(drop_claims=(LTI + "roles",)), "Missing Roles Claim"),
    (Forgery(extra_claims={LTI + "version": "1.1"}), "Incorrect version, expected 1.3.0"),
])
def test_pylti1p3_refuses_forged_launches(served, forgery: Forgery, message: str) -> None:
    platform, _, _ = served
    page = PlatformBrowser().open(platform.launch_url(ANA, [LEARNER], COURSE, LINK, forgery=forgery))
    assert page.status == 403 and message in page.text, page.text


def test_a_browser_that_refuses_the_tools_cookies_fails_on_state(served) -> None:
    platform, _, _ = served
    browser = PlatformBrowser()
    browser.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # like a third-party iframe
    page = browser.open(platform.launch_url(ANA, [LEARNER], COURSE))
    assert page.status == 403 and "State not found" in page.text


def test_a_replayed_launch_passes_bare_pylti1p3_and_is_caught_by_consuming_the_nonce(served) -> None:
    platform, tool, _ = served
    browser = PlatformBrowser()
    first = launch(platform, browser, roles=[LEARNER], context=COURSE)
    replay = browser.open(platform.replay_url())
    assert replay.status == 200 and json.loads(replay.text)["sub"] == first["sub"]  # the trap
    stranger = PlatformBrowser().open(platform.replay_url())  # no cookies at all, over plain HTTP
    assert stranger.status == 200
    tool.strict_nonce = True
    browser = PlatformBrowser()
    launch(platform, browser, roles=[LEARNER], context=COURSE)
    replay = browser.open(platform.replay_url())
    assert replay.status == 403 and "Replayed launch" in replay.text


def test_scores_reach_the_platform_and_forced_failures_are_reported(served) -> None:
    platform, _, base = served
    launch_id = launch(platform, roles=[LEARNER], context=COURSE, resource_link=LINK)["launch_id"]
    browser = PlatformBrowser()
    platform.fail_next_scores(2)
    for _ in range(2):
        page = browser.request("POST", f"{base}/grade/{launch_id}", {"score": "8"})
        assert page.status == 502 and json.loads(page.text)["status"] == 500
    page = browser.request("POST", f"{base}/grade/{launch_id}", {"score": "8"})
    assert page.status == 200, page.text
    (score,) = platform.scores
    assert (score.user_id, score.score_given, score.score_maximum) == (ANA.sub, 8, 10)
    assert (score.activity_progress, score.grading_progress) == ("Completed", "FullyGraded")
    assert score.content_type == "application/vnd.ims.lis.v1.score+json" and score.applied
    assert platform.result(ANA, platform.lineitem_for(LINK)) == score
    assert platform.failed_requests == [("scores", 500), ("scores", 500)]
    assert all(r["ok"] for r in platform.token_requests)


def test_a_score_posted_later_from_stored_launch_data_without_the_launch(served) -> None:
    platform, tool, _ = served
    launch(platform, roles=[LEARNER], context=COURSE, resource_link=LINK)
    endpoint = platform.launches[-1].claims[AGS_CLAIM]  # what the tool stores with the attempt
    reg = tool.registration
    registration = (Registration().set_issuer(reg.issuer).set_client_id(reg.client_id)
                    .set_auth_token_url(reg.auth_token_url).set_tool_private_key(private_pem(TOOL_KEY))
                    .set_tool_public_key(public_pem(TOOL_KEY)))
    ags = AssignmentsGradesService(ServiceConnector(registration), endpoint)

    def score(given: float) -> Grade:
        return (Grade().set_score_given(given).set_score_maximum(10).set_user_id(ANA.sub)
                .set_timestamp(datetime.now(UTC).isoformat()).set_activity_progress("Completed")
                .set_grading_progress("FullyGraded"))

    ags.put_grade(score(7))
    assert platform.result(ANA, platform.lineitem_for(LINK)).score_given == 7
    platform.expire_tokens()  # the connector keeps its token and never looks at expires_in
    with pytest.raises(LtiServiceException) as refused:
        ags.put_grade(score(8))
    assert refused.value.response.status_code == 401
    AssignmentsGradesService(ServiceConnector(registration), endpoint).put_grade(score(9))
    assert platform.result(ANA, platform.lineitem_for(LINK)).score_given == 9
    assert [r["ok"] for r in platform.token_requests] == [True, True]


def test_pylti1p3_creates_a_line_item_across_pages_and_reads_members(served) -> None:
    platform, _, base = served
    platform.page_size = 1
    platform.add_lineitem(COURSE, label="Other", tag="other")
    platform.add_member(COURSE, TEACHER, [INSTRUCTOR])
    platform.add_member(COURSE, BOB, [LEARNER], status="Inactive")
    launch_id = launch(platform, roles=[LEARNER], context=COURSE, resource_link=LINK)["launch_id"]
    browser = PlatformBrowser()
    page = browser.request("POST", f"{base}/grade/{launch_id}", {"score": "6", "tag": "lesson-3"})
    assert page.status == 200, page.text
    (created,) = [i for i in platform.lineitems.values() if i.tag == "lesson-3"]
    assert (created.score_maximum, created.resource_link_id) == (10, LINK.id)
    assert platform.scores[-1].lineitem_id == created.id
    page = browser.request("GET", f"{base}/members/{launch_id}")
    members = {m["user_id"]: m for m in json.loads(page.text)}
    assert set(members) == {ANA.sub, TEACHER.sub, BOB.sub}
    assert members[TEACHER.sub]["roles"] == [INSTRUCTOR] and members[BOB.sub]["status"] == "Inactive"
    assert members[ANA.sub]["email"] == ANA.email


def test_deep_linking_round_trip_then_launching_the_new_link(served) -> None:
    platform, _, base = served
    answer = launch(platform, user=TEACHER, roles=[INSTRUCTOR], context=COURSE,
                    message_type="LtiDeepLinkingRequest")
    assert answer["message_type"] == "LtiDeepLinkingRequest"
    claims = platform.launches[-1].claims
    assert claims[DL + "deep_linking_settings"]["deep_link_return_url"] == platform.deep_link_return_url
    assert LTI + "resource_link" not in claims
    page = PlatformBrowser().open(f"{base}/deep/{answer['launch_id']}", method="POST", data={})
    assert page.status == 200 and "1 item(s)" in page.text, page.text
    (returned,) = platform.deep_link_returns
    assert returned.error is None
    (item,) = returned.content_items
    assert item["custom"] == {"lesson": "03-new-start", "mode": "assignment"}
    link = platform.link_from_content_item(item, COURSE)
    assert platform.lineitem_for(link).score_maximum == 10
    learner = launch(platform, user=BOB, roles=[LEARNER], context=COURSE, resource_link=link)
    assert learner["custom"] == {"lesson": "03-new-start", "mode": "assignment"}
    bound = platform.lineitem_for(link)
    assert platform.launches[-1].claims[AGS_CLAIM]["lineitem"] == platform.lineitem_url(bound)


def test_deep_link_return_refuses_badly_signed_or_misaddressed_responses(served) -> None:
    platform, tool, _ = served
    reg = tool.registration
    now = int(time.time())
    claims = {"iss": reg.client_id, "aud": [platform.issuer], "iat": now, "exp": now + 60, "nonce": "n",
              LTI + "message_type": "LtiDeepLinkingResponse", LTI + "version": "1.3.0",
              LTI + "deployment_id": reg.deployment_id, DL + "content_items": [{"type": "ltiResourceLink"}]}
    kid = tool_kid()
    cases = {
        "Signature verification failed": jwt.encode(claims, generate_rsa_key(), "RS256",
                                                    headers={"kid": kid}),
        "deployment_id does not match": jwt.encode({**claims, LTI + "deployment_id": "d"}, TOOL_KEY, "RS256",
                                                   headers={"kid": kid}),
        "Audience doesn't match": jwt.encode({**claims, "aud": "elsewhere"}, TOOL_KEY, "RS256",
                                             headers={"kid": kid}),
        "data does not match": jwt.encode({**claims, DL + "data": "made-up"}, TOOL_KEY, "RS256",
                                          headers={"kid": kid}),
    }
    for message, token in cases.items():
        status, _, body = platform.http("POST", platform.deep_link_return_url, {"JWT": token})
        assert status == 400 and message in body, body
    assert [r.error is not None for r in platform.deep_link_returns] == [True] * 4
    status, _, _ = platform.http("POST", platform.deep_link_return_url,
                                 {"JWT": jwt.encode(claims, TOOL_KEY, "RS256", headers={"kid": kid})})
    assert status == 200 and platform.deep_link_returns[-1].error is None


def test_drive_launch_with_a_flask_test_client_and_key_rotation() -> None:
    tool = MiniTool()
    with TestPlatform() as platform:
        tool.registration = platform.register_tool(
            login_url="http://localhost/login", target_link_uri="http://localhost/launch",
            jwks={"keys": [public_jwk(TOOL_KEY, tool_kid())]})
        client = tool.app.test_client()
        response = platform.drive_launch(client, platform.launch_url(ANA, [LEARNER], COURSE, LINK))
        assert response.status_code == 200 and response.json["sub"] == ANA.sub
        old_kid = platform.kid
        assert platform.rotate_key(keep_old=False) != old_kid
        response = platform.drive_launch(client, platform.launch_url(BOB, [LEARNER], COURSE, LINK))
        assert response.status_code == 200 and response.json["sub"] == BOB.sub


def tool_kid() -> str:
    """The kid pylti1p3 puts on the tool's JWTs (the RFC 7638 thumbprint of its public key)."""
    return Registration.get_jwk(public_pem(TOOL_KEY))["kid"]
