"""A small but real LTI 1.3 Advantage platform for tests, served on a loopback port in a thread.

It speaks the platform side of LTI 1.3 core (OIDC third-party login, signed id_token launches), Deep
Linking 2.0, Assignment and Grade Services 2.0, Names and Role Provisioning 2.0 and the OAuth2
client-credentials grant with a JWT client assertion. Everything it receives is recorded so tests can
assert "the platform has the score". Usage::

    with TestPlatform() as platform:
        tool = platform.register_tool(login_url=..., target_link_uri=..., jwks_url=...)
        url = platform.launch_url(ana, roles=[LEARNER], context=course, resource_link=link)
        # a browser (Chromium, PlatformBrowser) opens `url`; or, with a Flask test client:
        response = platform.drive_launch(client, url)
        assert platform.scores[-1].score_given == 8

See docs/lti-design.md for how the tool side is meant to use it.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

# Claim names and vocabularies (LTI 1.3 core, DL 2.0, AGS 2.0, NRPS 2.0).
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = (SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE)
ALL_SCOPES = (*AGS_SCOPES, SCOPE_NRPS)
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
TEACHING_ASSISTANT = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
CONTENT_DEVELOPER = "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper"
MENTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"
CONTEXT_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator"
INSTITUTION_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"
INSTITUTION_STUDENT = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"
SYSTEM_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
COURSE_OFFERING = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
ACTIVITY_PROGRESS = frozenset({"Initialized", "Started", "InProgress", "Submitted", "Completed"})
GRADING_PROGRESS = frozenset({"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"})
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
AUTO_SUBMIT_ID = "lti-platform-autosubmit"


def generate_rsa_key() -> rsa.RSAPrivateKey:
    """A fresh 2048-bit RSA private key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    """PKCS#8 PEM text of a private key (what pylti1p3 wants as the tool's private key)."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    """SubjectPublicKeyInfo PEM text of a private key's public half."""
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    """The public JWK of a key, with kid, alg and use."""
    jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.pop("key_ops", None)
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return jwk


@dataclass(frozen=True)
class User:
    """A platform user; `sub` is the stable LTI user id the tool must key on."""

    sub: str
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    email: str | None = None

    def claims(self) -> dict[str, str]:
        """The OIDC profile claims the platform shares about this user."""
        out = {"name": self.name, "given_name": self.given_name, "family_name": self.family_name}
        if self.email:
            out["email"] = self.email
        return {k: v for k, v in out.items() if v}


@dataclass(frozen=True)
class Context:
    """A course (LTI context)."""

    id: str
    label: str = ""
    title: str = ""
    type: tuple[str, ...] = (COURSE_OFFERING,)


@dataclass(frozen=True)
class ResourceLink:
    """A placement of the tool in a course; `url` and `custom` come from deep linking when set."""

    id: str
    title: str = ""
    description: str = ""
    url: str | None = None
    custom: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Forgery:
    """Ways to spoil an id_token for negative tests; the default forges nothing."""

    expired: bool = False                 # exp and iat an hour in the past
    iat_offset: int = 0                   # seconds added to iat (a platform clock running ahead)
    wrong_key: bool = False               # signed by another key under the platform's real kid
    unknown_kid: bool = False             # signed by another key under a kid not in the JWKS
    audience: str | list[str] | None = None
    issuer: str | None = None
    deployment_id: str | None = None      # also sent as lti_deployment_id at login initiation
    nonce: str | None = None              # instead of the nonce the tool sent
    drop_claims: tuple[str, ...] = ()
    extra_claims: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class ToolRegistration:
    """One tool registration: what the platform knows of the tool, and what the tool must be told."""

    client_id: str
    deployment_id: str
    login_url: str
    target_link_uri: str
    redirect_uris: tuple[str, ...]
    jwks_url: str | None
    jwks: Mapping[str, Any] | None
    deep_link_url: str | None
    scopes: tuple[str, ...]
    issuer: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str

    def platform_settings(self) -> dict[str, Any]:
        """The values an administrator types into the tool's registration form."""
        return {"issuer": self.issuer, "client_id": self.client_id, "deployment_ids": [self.deployment_id],
                "auth_login_url": self.auth_login_url, "auth_token_url": self.auth_token_url,
                "key_set_url": self.key_set_url}

    def pylti1p3_config(self) -> dict[str, list[dict[str, Any]]]:
        """The same as a pylti1p3 ToolConfDict mapping (one issuer, many client ids form)."""
        return {self.issuer: [{
            "default": True, "client_id": self.client_id, "auth_login_url": self.auth_login_url,
            "auth_token_url": self.auth_token_url, "auth_audience": None, "key_set_url": self.key_set_url,
            "key_set": None, "deployment_ids": [self.deployment_id]}]}


@dataclass
class PendingLaunch:
    """A launch a test asked for, waiting for the tool's authentication request."""

    hint: str
    tool: ToolRegistration
    user: User
    roles: tuple[str, ...]
    context: Context | None
    resource_link: ResourceLink | None
    custom: dict[str, str]
    message_type: str
    target_link_uri: str
    ags: bool
    nrps: bool
    lineitem_id: int | None
    deep_linking: dict[str, Any]
    forgery: Forgery
    login_method: str
    extra_claims: dict[str, Any]


@dataclass
class IssuedLaunch:
    """An id_token the platform signed and posted to the tool."""

    index: int
    hint: str
    redirect_uri: str
    id_token: str
    state: str
    claims: dict[str, Any]

    @property
    def form(self) -> dict[str, str]:
        """The form fields posted to the tool's redirect_uri."""
        return {"id_token": self.id_token, "state": self.state}


@dataclass
class LineItem:
    """An AGS line item (a gradebook column)."""

    id: int
    context_key: int
    label: str
    score_maximum: float
    resource_id: str | None = None
    resource_link_id: str | None = None
    tag: str | None = None
    start_date_time: str | None = None
    end_date_time: str | None = None
    deleted: bool = False

    def to_json(self, url: str) -> dict[str, Any]:
        """The line item as AGS JSON, `id` being its URL."""
        data = {"id": url, "label": self.label, "scoreMaximum": self.score_maximum,
                "resourceId": self.resource_id, "resourceLinkId": self.resource_link_id, "tag": self.tag,
                "startDateTime": self.start_date_time, "endDateTime": self.end_date_time}
        return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True)
class ScoreRecord:
    """One score the tool posted and the platform accepted."""

    lineitem_id: int
    context_id: str
    user_id: str
    score_given: float | None
    score_maximum: float | None
    activity_progress: str
    grading_progress: str
    timestamp: str
    comment: str | None
    client_id: str
    content_type: str
    applied: bool  # False when an equal or newer timestamp was already on record (AGS: not applied)
    body: Mapping[str, Any]


@dataclass(frozen=True)
class DeepLinkReturn:
    """A deep linking response the tool posted back, verified (error is None) or refused."""

    claims: Mapping[str, Any]
    content_items: list[dict[str, Any]]
    error: str | None


@dataclass(frozen=True)
class Member:
    """A course member for NRPS."""

    user: User
    roles: tuple[str, ...]
    status: str = "Active"


class PlatformError(Exception):
    """A refusal with an HTTP status and an error code (OAuth style)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.status, self.error, self.description = status, error, description


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr."""

    def log(self, type: str, message: str, *args: Any) -> None:
        """Drop werkzeug's request log lines."""


def _json(data: Any, status: int = 200, mimetype: str = "application/json",
          headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response."""
    return Response(json.dumps(data), status=status, mimetype=mimetype, headers=dict(headers or {}))


def _autosubmit_page(action: str, fields: Mapping[str, str], title: str) -> str:
    """An HTML form that submits itself with JavaScript and has a visible button without it."""
    inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in fields.items())
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'</head><body><form id="{AUTO_SUBMIT_ID}" method="post" action="{html.escape(action)}">'
            f'{inputs}<button type="submit">Continue</button></form>'
            f'<script>document.getElementById("{AUTO_SUBMIT_ID}").submit();</script></body></html>')


def _timestamp(value: Any) -> datetime:
    """An ISO 8601 timestamp with a time zone, or ValueError."""
    if not isinstance(value, str):
        raise ValueError("timestamp must be a string")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("timestamp needs a time zone")
    return parsed


class TestPlatform:
    """An LTI 1.3 platform on a free loopback port, with its own RSA key pair made at start-up."""

    __test__ = False  # not a pytest test class

    def __init__(self, host: str = "127.0.0.1", *, url_host: str | None = None, issuer: str | None = None,
                 token_lifetime: int = 3600, id_token_lifetime: int = 300, page_size: int | None = None,
                 require_kid: bool = True) -> None:
        self._server = make_server(host, 0, self._wsgi, threaded=True, request_handler=_QuietHandler)
        self.base_url = f"http://{url_host or host}:{self._server.server_port}"
        self.issuer = issuer or self.base_url
        self.token_lifetime, self.id_token_lifetime = token_lifetime, id_token_lifetime
        self.page_size, self.require_kid = page_size, require_kid
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._keys: list[tuple[str, rsa.RSAPrivateKey]] = [(self._new_kid(), generate_rsa_key())]
        self._rogue_key: rsa.RSAPrivateKey | None = None  # made on first forgery that needs it
        self.tools: dict[str, ToolRegistration] = {}
        self._pending: dict[str, PendingLaunch] = {}
        self.launches: list[IssuedLaunch] = []
        self.auth_requests: list[dict[str, str]] = []
        self.auth_errors: list[str] = []
        self.token_requests: list[dict[str, Any]] = []
        self._tokens: dict[str, tuple[str, frozenset[str], float]] = {}
        self._seen_jtis: set[str] = set()
        self._contexts: list[Context] = []
        self._rosters: dict[int, dict[str, Member]] = {}
        self.lineitems: dict[int, LineItem] = {}
        self.scores: list[ScoreRecord] = []
        self.score_errors: list[str] = []
        self.deep_link_returns: list[DeepLinkReturn] = []
        self._deep_link_data: dict[str, tuple[str, str]] = {}  # data -> (client_id, deployment_id)
        self._failures: dict[str, list[int]] = {}
        self.failed_requests: list[tuple[str, int]] = []
        self.errors: list[str] = []
        self.service_requests: list[tuple[str, str, str]] = []  # (method, path, client_id)
        self.returns: list[dict[str, str]] = []  # visits to launch_presentation.return_url (lti_msg...)
        self._url_map = Map([
            Rule("/jwks", endpoint="jwks", methods=["GET"]),
            Rule("/auth", endpoint="auth", methods=["GET", "POST"]),
            Rule("/token", endpoint="token", methods=["POST"]),
            Rule("/launch/<hint>", endpoint="start", methods=["GET"]),
            Rule("/frame/<hint>", endpoint="frame", methods=["GET"]),
            Rule("/replay/<int:index>", endpoint="replay", methods=["GET"]),
            Rule("/contexts/<int:ctx>/lineitems", endpoint="lineitems", methods=["GET", "POST"]),
            Rule("/contexts/<int:ctx>/lineitems/<int:item>", endpoint="lineitem",
                 methods=["GET", "PUT", "DELETE"]),
            Rule("/contexts/<int:ctx>/lineitems/<int:item>/scores", endpoint="scores", methods=["POST"]),
            Rule("/contexts/<int:ctx>/lineitems/<int:item>/results", endpoint="results", methods=["GET"]),
            Rule("/contexts/<int:ctx>/memberships", endpoint="memberships", methods=["GET"]),
            Rule("/deep_link_return", endpoint="deep_link_return", methods=["POST"]),
            Rule("/return", endpoint="return", methods=["GET"]),
        ])

    # ----- life cycle -------------------------------------------------------------------------------

    def start(self) -> TestPlatform:
        """Serve in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="lti-test-platform", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> TestPlatform:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----- URLs --------------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """An absolute URL on this platform."""
        return self.base_url + path

    @property
    def jwks_url(self) -> str:
        """Where the platform's public keys are."""
        return self.url("/jwks")

    @property
    def auth_url(self) -> str:
        """The OIDC authorization endpoint (the tool's `auth_login_url`)."""
        return self.url("/auth")

    @property
    def token_url(self) -> str:
        """The OAuth2 token endpoint (the tool's `auth_token_url`, and the assertion's `aud`)."""
        return self.url("/token")

    @property
    def deep_link_return_url(self) -> str:
        """Where tools post deep linking responses."""
        return self.url("/deep_link_return")

    def lineitems_url(self, context: Context) -> str:
        """The AGS line items container URL of a course."""
        return self.url(f"/contexts/{self._context_key(context)}/lineitems")

    def lineitem_url(self, item: LineItem | int) -> str:
        """The URL (and AGS id) of a line item."""
        item = self.lineitems[item] if isinstance(item, int) else item
        return self.url(f"/contexts/{item.context_key}/lineitems/{item.id}")

    def memberships_url(self, context: Context) -> str:
        """The NRPS context memberships URL of a course."""
        return self.url(f"/contexts/{self._context_key(context)}/memberships")

    # ----- keys --------------------------------------------------------------------------------------

    @staticmethod
    def _new_kid() -> str:
        return "platform-" + secrets.token_hex(6)

    @property
    def kid(self) -> str:
        """The kid of the current signing key."""
        return self._keys[-1][0]

    def jwks(self) -> dict[str, Any]:
        """The platform's public key set."""
        with self._lock:
            return {"keys": [public_jwk(key, kid) for kid, key in self._keys]}

    def rotate_key(self, keep_old: bool = True) -> str:
        """Sign with a new key from now on; the old one stays in the JWKS unless keep_old is False."""
        with self._lock:
            new = (self._new_kid(), generate_rsa_key())
            self._keys = [*self._keys, new] if keep_old else [new]
            return new[0]

    def sign(self, claims: Mapping[str, Any], *, wrong_key: bool = False, unknown_kid: bool = False) -> str:
        """An RS256 JWT signed by the platform (or, for forgeries, by a rogue key)."""
        kid, key = self._keys[-1]
        if wrong_key or unknown_kid:
            with self._lock:
                self._rogue_key = self._rogue_key or generate_rsa_key()
            key = self._rogue_key
            kid = "unknown-" + kid if unknown_kid else kid
        return jwt.encode(dict(claims), key, algorithm="RS256", headers={"kid": kid})

    # ----- registration and course data ------------------------------------------------------------

    def register_tool(self, *, login_url: str, target_link_uri: str, jwks_url: str | None = None,
                      jwks: Mapping[str, Any] | None = None, redirect_uris: Iterable[str] = (),
                      deep_link_url: str | None = None, client_id: str | None = None,
                      deployment_id: str | None = None,
                      scopes: Iterable[str] = ALL_SCOPES) -> ToolRegistration:
        """Register a tool; give its key set as a URL the platform fetches, or as a dict."""
        if not (jwks_url or jwks):
            raise ValueError("a tool needs jwks_url or jwks")
        extra = [deep_link_url] if deep_link_url else []
        uris = tuple(dict.fromkeys([target_link_uri, *redirect_uris, *extra]))
        tool = ToolRegistration(
            client_id=client_id or "client-" + secrets.token_hex(4),
            deployment_id=deployment_id or "deployment-" + secrets.token_hex(3),
            login_url=login_url, target_link_uri=target_link_uri, redirect_uris=uris, jwks_url=jwks_url,
            jwks=jwks, deep_link_url=deep_link_url, scopes=tuple(scopes), issuer=self.issuer,
            auth_login_url=self.auth_url, auth_token_url=self.token_url, key_set_url=self.jwks_url)
        with self._lock:
            self.tools[tool.client_id] = tool
        return tool

    def _tool(self, tool: ToolRegistration | str | None) -> ToolRegistration:
        if isinstance(tool, ToolRegistration):
            return tool
        if tool is None:
            if len(self.tools) != 1:
                raise ValueError("several tools are registered: say which")
            return next(iter(self.tools.values()))
        return self.tools[tool]

    def _context_key(self, context: Context) -> int:
        with self._lock:
            for number, known in enumerate(self._contexts):
                if known.id == context.id:
                    self._contexts[number] = context
                    return number
            self._contexts.append(context)
            self._rosters[len(self._contexts) - 1] = {}
            return len(self._contexts) - 1

    def _context_by_key(self, key: int) -> Context:
        if not 0 <= key < len(self._contexts):
            raise NotFound("no such context")
        return self._contexts[key]

    def add_member(self, context: Context, user: User, roles: Iterable[str], status: str = "Active") -> None:
        """Put a user on a course roster (NRPS), replacing their roles."""
        key = self._context_key(context)
        with self._lock:
            self._rosters[key][user.sub] = Member(user, tuple(roles), status)

    def members(self, context: Context) -> list[Member]:
        """The course roster."""
        return list(self._rosters[self._context_key(context)].values())

    def add_lineitem(self, context: Context, *, label: str, score_maximum: float = 100,
                     resource_link: ResourceLink | None = None, resource_id: str | None = None,
                     tag: str | None = None) -> LineItem:
        """Create a gradebook column, as an instructor would in the platform."""
        key = self._context_key(context)
        with self._lock:
            item = LineItem(id=len(self.lineitems) + 1, context_key=key, label=label,
                            score_maximum=score_maximum, resource_id=resource_id,
                            resource_link_id=resource_link.id if resource_link else None, tag=tag)
            self.lineitems[item.id] = item
            return item

    def lineitem_for(self, resource_link: ResourceLink) -> LineItem | None:
        """The line item bound to a resource link, if any."""
        for item in self.lineitems.values():
            if item.resource_link_id == resource_link.id and not item.deleted:
                return item
        return None

    def link_from_content_item(self, item: Mapping[str, Any], context: Context,
                               link_id: str | None = None) -> ResourceLink:
        """Turn a deep-linked ltiResourceLink item into a placed resource link (with its line item)."""
        if item.get("type") != "ltiResourceLink":
            raise ValueError("only ltiResourceLink items can be launched")
        link = ResourceLink(id=link_id or "link-" + secrets.token_hex(4), title=item.get("title") or "",
                            description=item.get("text") or "", url=item.get("url"),
                            custom=dict(item.get("custom") or {}))
        spec = item.get("lineItem")
        if spec:
            self.add_lineitem(context, label=spec.get("label") or link.title, resource_link=link,
                              score_maximum=spec.get("scoreMaximum", 100), resource_id=spec.get("resourceId"),
                              tag=spec.get("tag"))
        return link

    # ----- recorded results -------------------------------------------------------------------------

    def scores_for(self, user: User | str | None = None,
                   lineitem: LineItem | int | None = None) -> list[ScoreRecord]:
        """Accepted scores, oldest first, filtered by user and/or line item."""
        sub = user.sub if isinstance(user, User) else user
        item_id = lineitem.id if isinstance(lineitem, LineItem) else lineitem
        return [s for s in self.scores if (sub is None or s.user_id == sub)
                and (item_id is None or s.lineitem_id == item_id)]

    def result(self, user: User | str, lineitem: LineItem | int) -> ScoreRecord | None:
        """The score now in the gradebook cell: the applied score with the latest timestamp."""
        applied = [s for s in self.scores_for(user, lineitem) if s.applied]
        return max(applied, key=lambda s: _timestamp(s.timestamp)) if applied else None

    def fail_next(self, kind: str, count: int = 1, status: int = 500) -> None:
        """Answer the next `count` requests of a kind (scores, token, lineitems, memberships) with status."""
        if kind not in {"scores", "token", "lineitems", "memberships"}:
            raise ValueError(f"unknown kind {kind!r}")
        with self._lock:
            self._failures.setdefault(kind, []).extend([status] * count)

    def fail_next_scores(self, count: int = 1, status: int = 500) -> None:
        """Answer the next `count` score posts with `status` (500 by default), recording nothing."""
        self.fail_next("scores", count, status)

    def _maybe_fail(self, kind: str) -> Response | None:
        with self._lock:
            queue = self._failures.get(kind)
            if not queue:
                return None
            status = queue.pop(0)
            self.failed_requests.append((kind, status))
        return _json({"error": "server_error", "error_description": f"forced failure ({kind})"}, status)

    # ----- launches ---------------------------------------------------------------------------------

    def launch_url(self, user: User, roles: Iterable[str] = (LEARNER,), context: Context | None = None,
                   resource_link: ResourceLink | None = None, custom: Mapping[str, str] | None = None,
                   message_type: str = RESOURCE_LINK_REQUEST, *, tool: ToolRegistration | str | None = None,
                   target_link_uri: str | None = None, ags: bool = True, nrps: bool = True,
                   lineitem: bool | LineItem = True, deep_linking: Mapping[str, Any] | None = None,
                   forgery: Forgery | None = None, login_method: str = "GET", embed: bool = False,
                   extra_claims: Mapping[str, Any] | None = None) -> str:
        """A platform URL that starts this launch by sending the browser to the tool's login initiation.

        `lineitem=True` binds (or reuses) a line item of 100 points to the resource link, as a graded
        placement would; False launches without the `lineitem` AGS claim. `embed=True` gives a course
        page that shows the launch inside an iframe instead.
        """
        reg = self._tool(tool)
        roles = tuple(roles)
        if context is not None:
            self.add_member(context, user, roles)
        item_id: int | None = None
        if message_type == RESOURCE_LINK_REQUEST:
            resource_link = resource_link or ResourceLink(id="link-" + secrets.token_hex(4),
                                                          title="Tool link")
            if isinstance(lineitem, LineItem):
                item_id = lineitem.id
            elif lineitem and ags and context is not None:
                found = self.lineitem_for(resource_link)
                found = found or self.add_lineitem(context, label=resource_link.title or "Score",
                                                   resource_link=resource_link)
                item_id = found.id
        target = target_link_uri or (resource_link.url if resource_link and resource_link.url else None)
        if message_type == DEEP_LINKING_REQUEST:
            target = target or reg.deep_link_url or reg.target_link_uri
        params = dict(resource_link.custom) if resource_link else {}
        params.update(custom or {})
        pending = PendingLaunch(
            hint="hint-" + secrets.token_urlsafe(12), tool=reg, user=user, roles=roles, context=context,
            resource_link=resource_link if message_type == RESOURCE_LINK_REQUEST else None, custom=params,
            message_type=message_type, target_link_uri=target or reg.target_link_uri, ags=ags, nrps=nrps,
            lineitem_id=item_id, deep_linking=dict(deep_linking or {}), forgery=forgery or Forgery(),
            login_method=login_method.upper(), extra_claims=dict(extra_claims or {}))
        with self._lock:
            self._pending[pending.hint] = pending
        return self.url(f"/{'frame' if embed else 'launch'}/{pending.hint}")

    def deep_link_url(self, user: User, roles: Iterable[str] = (INSTRUCTOR,), context: Context | None = None,
                      **kwargs: Any) -> str:
        """A launch URL for an LtiDeepLinkingRequest (an instructor adding content)."""
        return self.launch_url(user, roles, context, message_type=DEEP_LINKING_REQUEST, **kwargs)

    def login_initiation(self, url: str) -> tuple[str, str, dict[str, str]]:
        """(method, tool login URL, params) the browser is sent to for a launch URL from launch_url()."""
        hint = urlsplit(url).path.rsplit("/", 1)[-1]
        pending = self._pending[hint]
        reg = pending.tool
        params = {"iss": self.issuer, "login_hint": "login-" + pending.user.sub,
                  "target_link_uri": pending.target_link_uri, "lti_message_hint": pending.hint,
                  "client_id": reg.client_id,
                  "lti_deployment_id": pending.forgery.deployment_id or reg.deployment_id}
        return pending.login_method, reg.login_url, params

    def _start(self, request: Request, hint: str) -> Response:
        if hint not in self._pending:
            raise NotFound("unknown launch")
        method, login_url, params = self.login_initiation(request.url)
        if method == "POST":
            return Response(_autosubmit_page(login_url, params, "Launching"), mimetype="text/html")
        sep = "&" if urlsplit(login_url).query else "?"
        return Response(status=302, headers={"Location": login_url + sep + urlencode(params)})

    def _frame(self, hint: str) -> Response:
        if hint not in self._pending:
            raise NotFound("unknown launch")
        src = html.escape(self.url(f"/launch/{hint}"))
        page = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Course page</title></head>'
                f'<body><h1>Course page</h1><iframe name="tool" title="Tool" src="{src}" '
                'style="width:100%;height:80vh" allow="clipboard-write"></iframe></body></html>')
        return Response(page, mimetype="text/html")

    def _auth(self, request: Request) -> Response:
        params = dict(request.values.items())
        with self._lock:
            self.auth_requests.append(params)
        try:
            pending = self._check_auth(params)
        except PlatformError as err:
            with self._lock:
                self.auth_errors.append(err.description)
            return Response(f"{err.error}: {err.description}", status=err.status, mimetype="text/plain")
        claims = self._id_token_claims(pending, params["nonce"])
        forgery = pending.forgery
        token = self.sign(claims, wrong_key=forgery.wrong_key, unknown_kid=forgery.unknown_kid)
        with self._lock:
            issued = IssuedLaunch(index=len(self.launches), hint=pending.hint,
                                  redirect_uri=params["redirect_uri"], id_token=token, state=params["state"],
                                  claims=claims)
            self.launches.append(issued)
        return Response(_autosubmit_page(issued.redirect_uri, issued.form, "Launching"), mimetype="text/html")

    def _check_auth(self, params: Mapping[str, str]) -> PendingLaunch:
        expected = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post",
                    "prompt": "none"}
        for name, value in expected.items():
            if params.get(name) != value:
                got = params.get(name)
                raise PlatformError(400, "invalid_request", f"{name} must be {value!r}, got {got!r}")
        for name in ("client_id", "redirect_uri", "login_hint", "nonce", "state", "lti_message_hint"):
            if not params.get(name):
                raise PlatformError(400, "invalid_request", f"missing {name}")
        reg = self.tools.get(params["client_id"])
        if reg is None:
            raise PlatformError(400, "unauthorized_client", "unknown client_id")
        if params["redirect_uri"] not in reg.redirect_uris:
            raise PlatformError(400, "invalid_request",
                                f"redirect_uri not registered: {params['redirect_uri']}")
        pending = self._pending.get(params["lti_message_hint"])
        if pending is None or pending.tool.client_id != reg.client_id:
            raise PlatformError(400, "invalid_request", "unknown lti_message_hint")
        if params["login_hint"] != "login-" + pending.user.sub:
            raise PlatformError(400, "login_required", "login_hint does not match the launching user")
        return pending

    def _id_token_claims(self, pending: PendingLaunch, nonce: str) -> dict[str, Any]:
        reg, forgery = pending.tool, pending.forgery
        now = int(time.time()) - (3600 if forgery.expired else 0)
        claims: dict[str, Any] = {
            "iss": forgery.issuer or self.issuer, "aud": forgery.audience or reg.client_id,
            "azp": reg.client_id, "sub": pending.user.sub, "iat": now + forgery.iat_offset,
            "exp": now + self.id_token_lifetime, "nonce": forgery.nonce or nonce,
            **pending.user.claims(),
            LTI + "message_type": pending.message_type, LTI + "version": "1.3.0",
            LTI + "deployment_id": forgery.deployment_id or reg.deployment_id,
            LTI + "target_link_uri": pending.target_link_uri, LTI + "roles": list(pending.roles),
            LTI + "tool_platform": {"guid": "resetlab-test-platform", "name": "Reset Lab test platform",
                                    "product_family_code": "resetlab-test", "version": "1"},
            LTI + "launch_presentation": {"document_target": "iframe", "locale": "en-US",
                                          "return_url": self.url("/return")},
        }
        if pending.custom:
            claims[LTI + "custom"] = dict(pending.custom)
        if pending.context is not None:
            ctx = pending.context
            claims[LTI + "context"] = {"id": ctx.id, "label": ctx.label, "title": ctx.title,
                                       "type": list(ctx.type)}
            if pending.ags:
                endpoint: dict[str, Any] = {"scope": [s for s in AGS_SCOPES if s in reg.scopes],
                                            "lineitems": self.lineitems_url(ctx)}
                if pending.lineitem_id is not None:
                    endpoint["lineitem"] = self.lineitem_url(pending.lineitem_id)
                claims[AGS_CLAIM] = endpoint
            if pending.nrps and SCOPE_NRPS in reg.scopes:
                claims[NRPS_CLAIM] = {"context_memberships_url": self.memberships_url(ctx),
                                      "service_versions": ["2.0"]}
        if pending.resource_link is not None:
            link = pending.resource_link
            claims[LTI + "resource_link"] = {"id": link.id, "title": link.title,
                                             "description": link.description}
        if pending.message_type == DEEP_LINKING_REQUEST:
            data = "dl-" + secrets.token_hex(8)
            with self._lock:
                self._deep_link_data[data] = (reg.client_id, reg.deployment_id)
            settings = {"deep_link_return_url": self.deep_link_return_url,
                        "accept_types": ["ltiResourceLink"],
                        "accept_presentation_document_targets": ["iframe", "window"],
                        "accept_media_types": "text/html", "accept_multiple": True, "auto_create": True,
                        "title": "Reset Lab", "data": data}
            settings.update(pending.deep_linking)
            claims[DL + "deep_linking_settings"] = settings
        claims.update(pending.extra_claims)
        claims.update(forgery.extra_claims)
        for name in forgery.drop_claims:
            claims.pop(name, None)
        return claims

    def replay_url(self, launch: IssuedLaunch | None = None) -> str:
        """A page that posts an already used id_token and state to the tool again (a replay)."""
        launch = launch or self.launches[-1]
        return self.url(f"/replay/{launch.index}")

    # ----- the tool's keys and tokens ---------------------------------------------------------------

    def _tool_jwks(self, reg: ToolRegistration) -> Mapping[str, Any]:
        if reg.jwks is not None:
            return reg.jwks
        assert reg.jwks_url is not None
        try:
            with _OPENER.open(reg.jwks_url, timeout=5) as response:
                return json.loads(response.read())
        except (OSError, ValueError) as err:
            raise PlatformError(401, "invalid_client", f"cannot fetch the tool's JWKS: {err}") from err

    def verify_tool_jwt(self, token: str, reg: ToolRegistration, audience: str, leeway: int = 5,
                        require: Iterable[str] = ("exp", "iat", "iss", "sub", "aud")) -> dict[str, Any]:
        """Verify a JWT the tool signed, against the tool's JWKS; PlatformError when it is not right."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as err:
            raise PlatformError(401, "invalid_client", f"not a JWT: {err}") from err
        if header.get("alg") != "RS256":
            raise PlatformError(401, "invalid_client", f"alg must be RS256, got {header.get('alg')!r}")
        keys = list(self._tool_jwks(reg).get("keys", []))
        kid = header.get("kid")
        if kid is None:
            if self.require_kid or len(keys) != 1:
                raise PlatformError(401, "invalid_client", "the JWT header has no kid")
            candidates = keys
        else:
            candidates = [k for k in keys if k.get("kid") == kid]
        if not candidates:
            raise PlatformError(401, "invalid_client", f"kid {kid!r} is not in the tool's JWKS")
        key = RSAAlgorithm.from_jwk(json.dumps(candidates[0]))
        try:
            return jwt.decode(token, key, algorithms=["RS256"], audience=audience, issuer=reg.client_id,
                              leeway=leeway, options={"require": list(require)})
        except jwt.InvalidTokenError as err:
            raise PlatformError(401, "invalid_client", f"{type(err).__name__}: {err}") from err

    def _token(self, request: Request) -> Response:
        form = request.form
        record: dict[str, Any] = {"form": dict(form.items()), "ok": False, "error": None}
        with self._lock:
            self.token_requests.append(record)
        forced = self._maybe_fail("token")
        if forced is not None:
            record["error"] = "forced failure"
            return forced
        try:
            body = self._grant(form)
        except PlatformError as err:
            record["error"] = err.description
            return _json({"error": err.error, "error_description": err.description}, err.status,
                         headers={"Cache-Control": "no-store"})
        record["ok"] = True
        record["scope"] = body["scope"]
        return _json(body, headers={"Cache-Control": "no-store"})

    def _grant(self, form: Mapping[str, str]) -> dict[str, Any]:
        if form.get("grant_type") != "client_credentials":
            raise PlatformError(400, "unsupported_grant_type", "grant_type must be client_credentials")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise PlatformError(400, "invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}")
        assertion = form.get("client_assertion") or ""
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.InvalidTokenError as err:
            raise PlatformError(401, "invalid_client", f"client_assertion is not a JWT: {err}") from err
        reg = self.tools.get(str(unverified.get("iss")))
        if reg is None:
            raise PlatformError(401, "invalid_client", "unknown client (iss)")
        claims = self.verify_tool_jwt(assertion, reg, audience=self.token_url,
                                      require=("exp", "iat", "iss", "sub", "aud", "jti"))
        if claims.get("sub") != reg.client_id:
            raise PlatformError(401, "invalid_client", "sub must be the client id")
        with self._lock:
            if claims["jti"] in self._seen_jtis:
                raise PlatformError(401, "invalid_client", "jti already used (replayed assertion)")
            self._seen_jtis.add(claims["jti"])
        requested = (form.get("scope") or "").split()
        granted = [s for s in requested if s in reg.scopes]
        if not granted:
            raise PlatformError(400, "invalid_scope", f"none of the requested scopes is allowed: {requested}")
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = (reg.client_id, frozenset(granted), time.time() + self.token_lifetime)
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime,
                "scope": " ".join(granted)}

    def issue_token(self, client_id: str, scopes: Iterable[str] = ALL_SCOPES,
                    lifetime: int | None = None) -> str:
        """An access token without the OAuth dance (for tests of the services alone)."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            expires = time.time() + (lifetime or self.token_lifetime)
            self._tokens[token] = (client_id, frozenset(scopes), expires)
        return token

    def expire_tokens(self) -> None:
        """Make every access token issued so far expired (the tool must fetch a new one)."""
        with self._lock:
            self._tokens = {t: (c, s, 0.0) for t, (c, s, _) in self._tokens.items()}

    def _bearer(self, request: Request, *accepted: str) -> str:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise PlatformError(401, "invalid_token", "a bearer token is required")
        with self._lock:
            found = self._tokens.get(token.strip())
        if found is None:
            raise PlatformError(401, "invalid_token", "unknown access token")
        client_id, scopes, expires = found
        if expires < time.time():
            raise PlatformError(401, "invalid_token", "the access token has expired")
        if not scopes & set(accepted):
            raise PlatformError(403, "insufficient_scope", f"needs one of {list(accepted)}")
        with self._lock:
            self.service_requests.append((request.method, request.path, client_id))
        return client_id

    # ----- AGS ---------------------------------------------------------------------------------------

    def _page(self, request: Request, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
        limit = request.args.get("limit", type=int) or self.page_size
        if not limit:
            return items, {}
        offset = request.args.get("offset", 0, type=int)
        headers = {}
        if offset + limit < len(items):
            query = dict(parse_qsl(urlsplit(request.url).query))
            query.update({"limit": str(limit), "offset": str(offset + limit)})
            parts = urlsplit(request.url)
            nxt = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
            headers["Link"] = f'<{nxt}>; rel="next"'
        return items[offset:offset + limit], headers

    def _lineitems(self, request: Request, ctx: int) -> Response:
        context = self._context_by_key(ctx)
        if request.method == "GET":
            self._bearer(request, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY)
            forced = self._maybe_fail("lineitems")
            if forced is not None:
                return forced
            items = [i for i in self.lineitems.values() if i.context_key == ctx and not i.deleted]
            for arg, attr in (("resource_link_id", "resource_link_id"), ("resource_id", "resource_id"),
                              ("tag", "tag")):
                if arg in request.args:
                    items = [i for i in items if getattr(i, attr) == request.args[arg]]
            page, headers = self._page(request, [i.to_json(self.lineitem_url(i)) for i in items])
            return _json(page, mimetype="application/vnd.ims.lis.v2.lineitemcontainer+json", headers=headers)
        self._bearer(request, SCOPE_LINEITEM)
        data = self._json_body(request)
        maximum = data.get("scoreMaximum")
        if not isinstance(maximum, int | float) or maximum <= 0 or not data.get("label"):
            raise PlatformError(400, "invalid_request", "a line item needs a label and scoreMaximum > 0")
        link = ResourceLink(id=data["resourceLinkId"]) if data.get("resourceLinkId") else None
        item = self.add_lineitem(context, label=data["label"], score_maximum=maximum, resource_link=link,
                                 resource_id=data.get("resourceId"), tag=data.get("tag"))
        item.start_date_time, item.end_date_time = data.get("startDateTime"), data.get("endDateTime")
        return _json(item.to_json(self.lineitem_url(item)), 201,
                     mimetype="application/vnd.ims.lis.v2.lineitem+json")

    def _lineitem_in(self, ctx: int, item_id: int) -> LineItem:
        item = self.lineitems.get(item_id)
        if item is None or item.context_key != ctx or item.deleted:
            raise NotFound("no such line item")
        return item

    def _lineitem(self, request: Request, ctx: int, item: int) -> Response:
        found = self._lineitem_in(ctx, item)
        if request.method == "GET":
            self._bearer(request, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY)
        elif request.method == "DELETE":
            self._bearer(request, SCOPE_LINEITEM)
            found.deleted = True
            return Response(status=204)
        else:
            self._bearer(request, SCOPE_LINEITEM)
            data = self._json_body(request)
            if "scoreMaximum" in data:
                if not isinstance(data["scoreMaximum"], int | float) or data["scoreMaximum"] <= 0:
                    raise PlatformError(400, "invalid_request", "scoreMaximum must be > 0")
                found.score_maximum = data["scoreMaximum"]
            for key, attr in (("label", "label"), ("resourceId", "resource_id"), ("tag", "tag"),
                              ("startDateTime", "start_date_time"), ("endDateTime", "end_date_time")):
                if key in data:
                    setattr(found, attr, data[key])
        return _json(found.to_json(self.lineitem_url(found)),
                     mimetype="application/vnd.ims.lis.v2.lineitem+json")

    def _scores(self, request: Request, ctx: int, item: int) -> Response:
        client_id = self._bearer(request, SCOPE_SCORE)
        found = self._lineitem_in(ctx, item)
        forced = self._maybe_fail("scores")
        if forced is not None:
            return forced
        try:
            record = self._score_record(request, found, client_id)
        except PlatformError as err:
            with self._lock:
                self.score_errors.append(err.description)
            raise
        with self._lock:
            self.scores.append(record)
        return _json({"resultUrl": self.lineitem_url(found) + "/results?user_id=" + record.user_id})

    def _score_record(self, request: Request, item: LineItem, client_id: str) -> ScoreRecord:
        content_type = request.mimetype
        if content_type not in {"application/vnd.ims.lis.v1.score+json", "application/json"}:
            raise PlatformError(415, "invalid_request", f"unexpected content type {content_type!r}")
        data = self._json_body(request)
        user_id = data.get("userId")
        context = self._contexts[item.context_key]
        if not isinstance(user_id, str) or user_id not in self._rosters[item.context_key]:
            raise PlatformError(422, "invalid_request", f"userId {user_id!r} is not a member of {context.id}")
        if data.get("activityProgress") not in ACTIVITY_PROGRESS:
            raise PlatformError(400, "invalid_request",
                                f"bad activityProgress {data.get('activityProgress')!r}")
        if data.get("gradingProgress") not in GRADING_PROGRESS:
            raise PlatformError(400, "invalid_request",
                                f"bad gradingProgress {data.get('gradingProgress')!r}")
        try:
            stamp = _timestamp(data.get("timestamp"))
        except ValueError as err:
            raise PlatformError(400, "invalid_request", f"bad timestamp: {err}") from err
        given, maximum = data.get("scoreGiven"), data.get("scoreMaximum")
        if given is not None:
            if not isinstance(given, int | float) or given < 0:
                raise PlatformError(400, "invalid_request", "scoreGiven must be a number >= 0")
            if not isinstance(maximum, int | float) or maximum <= 0:
                raise PlatformError(400, "invalid_request", "scoreGiven needs scoreMaximum > 0")
        previous = self.result(user_id, item)
        applied = previous is None or _timestamp(previous.timestamp) < stamp
        return ScoreRecord(lineitem_id=item.id, context_id=context.id, user_id=user_id, score_given=given,
                           score_maximum=maximum, activity_progress=data["activityProgress"],
                           grading_progress=data["gradingProgress"], timestamp=data["timestamp"],
                           comment=data.get("comment"), client_id=client_id, content_type=content_type,
                           applied=applied, body=data)

    def _results(self, request: Request, ctx: int, item: int) -> Response:
        self._bearer(request, SCOPE_RESULT_READONLY)
        found = self._lineitem_in(ctx, item)
        users = {s.user_id for s in self.scores_for(lineitem=found)}
        wanted = request.args.get("user_id")
        out = []
        for user_id in sorted(users):
            if wanted and user_id != wanted:
                continue
            score = self.result(user_id, found)
            if score is None or score.score_given is None:
                continue
            result_max = found.score_maximum
            scaled = score.score_given / score.score_maximum * result_max if score.score_maximum else 0
            out.append({"id": f"{self.lineitem_url(found)}/results/{user_id}",
                        "scoreOf": self.lineitem_url(found), "userId": user_id, "resultScore": scaled,
                        "resultMaximum": result_max, "comment": score.comment})
        page, headers = self._page(request, out)
        return _json(page, mimetype="application/vnd.ims.lis.v2.resultcontainer+json", headers=headers)

    @staticmethod
    def _json_body(request: Request) -> dict[str, Any]:
        try:
            data = json.loads(request.get_data(as_text=True) or "null")
        except ValueError as err:
            raise PlatformError(400, "invalid_request", f"body is not JSON: {err}") from err
        if not isinstance(data, dict):
            raise PlatformError(400, "invalid_request", "body must be a JSON object")
        return data

    # ----- NRPS --------------------------------------------------------------------------------------

    def _memberships(self, request: Request, ctx: int) -> Response:
        self._bearer(request, SCOPE_NRPS)
        context = self._context_by_key(ctx)
        forced = self._maybe_fail("memberships")
        if forced is not None:
            return forced
        members = list(self._rosters[ctx].values())
        role = request.args.get("role")
        if role:
            members = [m for m in members if role in m.roles or any(r.endswith("#" + role) for r in m.roles)]
        rows = [{"status": m.status, "user_id": m.user.sub, "roles": list(m.roles), **m.user.claims()}
                for m in members]
        page, headers = self._page(request, rows)
        body = {"id": request.url, "members": page,
                "context": {"id": context.id, "label": context.label, "title": context.title}}
        return _json(body, mimetype="application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                     headers=headers)

    # ----- Deep Linking ------------------------------------------------------------------------------

    def _deep_link_return(self, request: Request) -> Response:
        token = request.form.get("JWT", "")
        try:
            claims, items = self._check_deep_link(token)
        except PlatformError as err:
            with self._lock:
                self.deep_link_returns.append(DeepLinkReturn({}, [], err.description))
            return Response(f"Deep linking refused: {err.description}", status=400, mimetype="text/plain")
        with self._lock:
            self.deep_link_returns.append(DeepLinkReturn(claims, items, None))
        titles = "".join(f"<li>{html.escape(str(i.get('title') or i.get('url') or i.get('type')))}</li>"
                         for i in items)
        page = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Content added</title>'
                f'</head><body><h1>Content added</h1><p id="count">{len(items)} item(s)</p><ul>{titles}</ul>'
                f'<p id="message">{html.escape(str(claims.get(DL + "msg") or ""))}</p></body></html>')
        return Response(page, mimetype="text/html")

    def _check_deep_link(self, token: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        if not token:
            raise PlatformError(400, "invalid_request", "missing JWT form field")
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.InvalidTokenError as err:
            raise PlatformError(400, "invalid_request", f"JWT is not a JWT: {err}") from err
        reg = self.tools.get(str(unverified.get("iss")))
        if reg is None:
            raise PlatformError(400, "invalid_request", "iss is not a registered client id")
        claims = self.verify_tool_jwt(token, reg, audience=self.issuer,
                                      require=("exp", "iat", "iss", "aud", "nonce"))
        if claims.get(LTI + "message_type") != "LtiDeepLinkingResponse":
            raise PlatformError(400, "invalid_request", "message_type must be LtiDeepLinkingResponse")
        if claims.get(LTI + "version") != "1.3.0":
            raise PlatformError(400, "invalid_request", "version must be 1.3.0")
        if claims.get(LTI + "deployment_id") != reg.deployment_id:
            raise PlatformError(400, "invalid_request", "deployment_id does not match the registration")
        data = claims.get(DL + "data")
        if data is not None and self._deep_link_data.get(data) != (reg.client_id, reg.deployment_id):
            raise PlatformError(400, "invalid_request", "data does not match a deep linking request")
        items = claims.get(DL + "content_items", [])
        if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("type") for i in items):
            raise PlatformError(400, "invalid_request", "content_items must be a list of objects with a type")
        return claims, items

    # ----- WSGI --------------------------------------------------------------------------------------

    def _replay(self, index: int) -> Response:
        if not 0 <= index < len(self.launches):
            raise NotFound("no such launch")
        launch = self.launches[index]
        return Response(_autosubmit_page(launch.redirect_uri, launch.form, "Replaying"), mimetype="text/html")

    def _return(self, request: Request) -> Response:
        with self._lock:
            self.returns.append(dict(request.args.items()))
        message = request.args.get("lti_errormsg") or request.args.get("lti_msg") or ""
        page = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Back in the course</title>'
                '</head><body><h1>Back in the course</h1>'
                f'<p id="message">{html.escape(message)}</p></body></html>')
        return Response(page, mimetype="text/html")

    def _dispatch(self, request: Request) -> Response:
        adapter = self._url_map.bind_to_environ(request.environ)
        endpoint, args = adapter.match()
        handlers: dict[str, Callable[..., Response]] = {
            "jwks": lambda: _json(self.jwks(), headers={"Cache-Control": "max-age=300"}),
            "auth": lambda: self._auth(request),
            "token": lambda: self._token(request),
            "start": lambda hint: self._start(request, hint),
            "frame": self._frame,
            "replay": self._replay,
            "lineitems": lambda ctx: self._lineitems(request, ctx),
            "lineitem": lambda ctx, item: self._lineitem(request, ctx, item),
            "scores": lambda ctx, item: self._scores(request, ctx, item),
            "results": lambda ctx, item: self._results(request, ctx, item),
            "memberships": lambda ctx: self._memberships(request, ctx),
            "deep_link_return": lambda: self._deep_link_return(request),
            "return": lambda: self._return(request),
        }
        return handlers[endpoint](**args)

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self._dispatch(request)
        except PlatformError as err:
            headers = {"WWW-Authenticate": f'Bearer error="{err.error}"'} if err.status == 401 else {}
            response = _json({"error": err.error, "error_description": err.description}, err.status,
                             headers=headers)
        except HTTPException as err:
            response = err.get_response(environ)  # type: ignore[assignment]
        except Exception:  # a test platform reports its own bugs
            with self._lock:
                self.errors.append(traceback.format_exc())
            response = Response(traceback.format_exc(), status=500, mimetype="text/plain")
        return response(environ, start_response)

    # ----- driving a launch without a real browser ------------------------------------------------

    def http(self, method: str, url: str, data: Mapping[str, str] | None = None,
             headers: Mapping[str, str] | None = None, json_body: Any = None,
             content_type: str = "application/json") -> tuple[int, dict[str, str], str]:
        """One HTTP request without following redirects (a form or a JSON body): (status, headers, body)."""
        headers = dict(headers or {})
        body = urlencode(data).encode() if data is not None else None
        if json_body is not None:
            body, headers["Content-Type"] = json.dumps(json_body).encode(), content_type
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with _NO_REDIRECT_OPENER.open(req, timeout=10) as response:
                return response.status, dict(response.headers.items()), response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers.items()), err.read().decode()

    def authorize(self, auth_request_url: str) -> tuple[str, dict[str, str]]:
        """Send the tool's authentication request to /auth; returns the form (action, fields) it answers."""
        status, _, body = self.http("GET", auth_request_url)
        if status != 200:
            raise AssertionError(f"the platform refused the authentication request ({status}): {body}")
        forms = parse_forms(body)
        return forms[0]["action"], forms[0]["fields"]

    def drive_launch(self, client: Any, url: str, *, follow_redirects: bool = False) -> Any:
        """Run a launch against a tool behind a werkzeug/Flask test client; returns the launch response.

        Emulates what a browser does: platform start page -> tool login initiation (GET or POST, and
        pylti1p3's cookie-check page re-requested with lti1p3_new_window=1) -> platform /auth -> form
        POST of id_token and state to the tool's redirect_uri.
        """
        method, login_url, params = self.login_initiation(url)
        if method == "POST":
            response = client.post(login_url, data=params)
        else:
            response = client.get(login_url, query_string=params)
        if response.status_code == 200 and b"lti1p3-new-tab-link" in response.data:
            params = {**params, "lti1p3_new_window": "1"}
            response = (client.post(login_url, data=params) if method == "POST"
                        else client.get(login_url, query_string=params))
        if response.status_code not in (301, 302, 303, 307):
            raise AssertionError(f"login initiation did not redirect ({response.status_code}): "
                                 f"{response.get_data(as_text=True)[:500]}")
        action, fields = self.authorize(response.headers["Location"])
        return client.post(action, data=fields, follow_redirects=follow_redirects)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand redirects back to the caller."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _FormParser(HTMLParser):
    """Collect forms with their action, method, id and input fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": values.get("action", ""),
                               "method": values.get("method", "get").upper(), "id": values.get("id", ""),
                               "fields": {}})
        elif tag in {"input", "textarea", "button"} and self.forms and values.get("name"):
            self.forms[-1]["fields"][values["name"]] = values.get("value", "")


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via a proxy
_NO_REDIRECT_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def parse_forms(page: str) -> list[dict[str, Any]]:
    """The forms of an HTML page: [{action, method, id, fields}]."""
    parser = _FormParser()
    parser.feed(page)
    return parser.forms


@dataclass
class Page:
    """What a PlatformBrowser request ended on."""

    url: str
    status: int
    headers: dict[str, str]
    text: str

    def forms(self) -> list[dict[str, Any]]:
        """The page's forms."""
        return parse_forms(self.text)


class PlatformBrowser:
    """A cookie-keeping HTTP client that follows redirects and submits auto-submit forms, like a browser
    with JavaScript would, for launch tests against a tool served on a real port (no Chromium needed)."""

    AUTO_SUBMIT_IDS = frozenset({AUTO_SUBMIT_ID, "lti13_deep_link_auto_submit"})

    def __init__(self) -> None:
        self.cookies = CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)
        self.history: list[Page] = []

    def request(self, method: str, url: str, data: Mapping[str, str] | None = None,
                headers: Mapping[str, str] | None = None) -> Page:
        """One request, no redirects followed."""
        body = urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
        try:
            with self._opener.open(req, timeout=10) as response:
                page = Page(url, response.status, dict(response.headers.items()), response.read().decode())
        except urllib.error.HTTPError as err:
            page = Page(url, err.code, dict(err.headers.items()), err.read().decode())
        self.history.append(page)
        return page

    def open(self, url: str, method: str = "GET", data: Mapping[str, str] | None = None,
             max_steps: int = 12) -> Page:
        """Follow redirects and auto-submit forms until a page that is neither; returns it."""
        for _ in range(max_steps):
            page = self.request(method, url, data)
            if page.status in (301, 302, 303) or (page.status in (307, 308) and method == "GET"):
                url, method, data = urljoin(url, page.headers["Location"]), "GET", None
                continue
            if page.status in (307, 308):
                url = urljoin(url, page.headers["Location"])
                continue
            if page.status == 200 and "lti1p3-new-tab-link" in page.text and "lti1p3_new_window" not in url:
                # pylti1p3's cookie-check page: with cookies allowed, its script reloads with these params
                params = {**dict(parse_qsl(urlsplit(url).query)), **(data or {}), "lti1p3_new_window": "1"}
                url, method, data = url.split("?", 1)[0] + "?" + urlencode(params), "GET", None
                continue
            forms = [f for f in page.forms() if f["id"] in self.AUTO_SUBMIT_IDS] if page.status == 200 else []
            if forms:
                form = forms[0]
                url, method = urljoin(url, form["action"] or url), form["method"]
                data = {k: v for k, v in form["fields"].items() if k}
                if method == "GET":
                    url, data = url.split("?", 1)[0] + "?" + urlencode(data), None
                continue
            return page
        raise AssertionError(f"more than {max_steps} redirects or auto-submitted forms")
