"""pylti1p3's Flask adapter with the traps of 2.0.0 closed (docs/lti-design.md §10):

- a launch spends its nonce once (pylti1p3 never does: the same POST would pass again);
- 30 s of clock leeway on exp/iat (pylti1p3 passes none);
- launch state in the database (the default, Flask's session cookie, never arrives on a cross-site POST);
- state cookies scoped to /lti/, with `SameSite=None; Secure; Partitioned` in embed mode;
- the cookie check page and every HTTP call without inline script or missing timeouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt
import requests
from flask import current_app, render_template, request
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskCookieService,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException

from .keys import DbToolConf
from .storage import DbCache

LEEWAY = 30
NONCE_LIFETIME = 86400
TIMEOUT = (3, 10)  # connect, read (seconds)


class TimeoutSession(requests.Session):
    """A requests session that never waits forever (pylti1p3 calls requests with no timeout)."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        """Every call gets the default timeout unless it names one."""
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(method, url, *args, **kwargs)


def http_session() -> requests.Session:
    """The session for JWKS fetches and service calls."""
    session = TimeoutSession()
    session.headers["User-Agent"] = "ResetLab-LTI"
    return session


def embedded() -> bool:
    """Embed mode (RESETLAB_LTI_EMBED): LTI cookies must reach us inside a cross-site LMS iframe."""
    return bool(current_app.config.get("LTI_EMBED"))


class ResetLabCookies(FlaskCookieService):
    """pylti1p3's state cookies under /lti/ only; cross-site-able (and partitioned) when secure."""

    def update_response(self, response: Any) -> None:
        """Set the collected cookies on the response."""
        secure = bool(self._request.is_secure()) or embedded()
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(key, data["value"], max_age=data["exp"], path="/lti/", httponly=True,
                                secure=secure, samesite="None" if secure else "Lax", partitioned=secure)


def lti_request() -> FlaskRequest:
    """The current request for pylti1p3, with query and form merged (a login initiation may POST with
    parameters in the query; pylti1p3 reads only one of the two)."""
    params = request.values.to_dict()
    return FlaskRequest(request_data=params or None, request_is_secure=request.is_secure or embedded())


def storage() -> FlaskCacheDataStorage:
    """pylti1p3's launch data storage on our database cache."""
    return FlaskCacheDataStorage(DbCache())


class ResetLabLogin(FlaskOIDCLogin):
    """OIDC login initiation; the cookie check page is ours (no inline script, a link without JS)."""

    def get_cookies_allowed_js_check(self) -> str:
        """The page that checks the browser keeps our cookies in the LMS frame, or offers a new tab."""
        params = {"lti1p3_new_window": "1"}
        for key in ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id",
                    "client_id"):
            value = self._get_request_param(key)
            if value:
                params[key] = value
        return render_template("lti/cookie_check.html", params=params)


# Claims pylti1p3 reads from the id_token before its signature is checked, and the types it assumes.
UNSIGNED_CLAIMS: dict[str, tuple[type, ...]] = {"nonce": (str,), "iss": (str,), "aud": (str, list),
                                                "azp": (str,), "sub": (str,)}


class ResetLabLaunch(FlaskMessageLaunch):
    """A launch validated by pylti1p3, with leeway on time claims and a nonce that works once."""

    def validate_jwt_format(self) -> ResetLabLaunch:
        """pylti1p3's check, and a body it can read: a JSON object whose claims read before the signature
        check have their types (it assumed them, so a made-up token ended in AttributeError/TypeError)."""
        super().validate_jwt_format()
        body = self._jwt.get("body")
        if not isinstance(body, dict):
            raise LtiException("Invalid JWT format, can't be decoded: the body is not a JSON object")
        for claim, types in UNSIGNED_CLAIMS.items():
            value = body.get(claim)
            if value is not None and (not isinstance(value, types) or (
                    isinstance(value, list) and not all(isinstance(v, str) for v in value))):
                raise LtiException(f"Invalid JWT format, can't be decoded: the claim {claim} has the "
                                   "wrong type")
        return self

    def validate_jwt_signature(self) -> ResetLabLaunch:
        """pylti1p3's check with 30 s of leeway for clocks a little apart."""
        public_key, key_alg = self.get_public_key()
        try:
            jwt.decode(self._get_id_token(), public_key, algorithms=[key_alg],
                       options=self._jwt_verify_options, leeway=LEEWAY)
        except jwt.InvalidTokenError as err:
            raise LtiException(f"Can't decode id_token: {err}") from err
        return self

    def save_launch_data(self) -> ResetLabLaunch:
        """Runs after every other check: spend the nonce (atomically), so a replayed POST is refused."""
        body = self._get_jwt_body()
        spent = f"lti1p3-used-nonce-{body.get('iss')}-{body.get('nonce')}"
        if not DbCache().add(spent, True, NONCE_LIFETIME):
            raise LtiException("Replayed launch")
        return super().save_launch_data()


def message_launch() -> ResetLabLaunch:
    """A launch for the current request (validated when its data is first read)."""
    lti = lti_request()
    return ResetLabLaunch(lti, DbToolConf(), cookie_service=ResetLabCookies(lti),
                          launch_data_storage=storage(), requests_session=http_session())


def restored_launch(launch_id: str) -> ResetLabLaunch:
    """A launch saved earlier (the deep-link picker); LtiException('Launch data not found') once gone."""
    lti = lti_request()
    return ResetLabLaunch.from_cache(launch_id, lti, DbToolConf(), cookie_service=ResetLabCookies(lti),
                                     launch_data_storage=storage(), requests_session=http_session())


def oidc_login() -> ResetLabLogin:
    """The login initiation for the current request (the cookie check first, in embed mode)."""
    lti = lti_request()
    login = ResetLabLogin(lti, DbToolConf(), cookie_service=ResetLabCookies(lti),
                          launch_data_storage=storage())
    return login.enable_check_cookies() if embedded() else login


class CleanDeepLinkResource(DeepLinkResource):
    """pylti1p3 writes null url/title and an empty custom; strict platforms refuse nulls."""

    def to_dict(self) -> dict[str, object]:
        """The content item without empty values."""
        return {k: v for k, v in super().to_dict().items() if v not in (None, {}, "")}


@dataclass(frozen=True)
class Refusal:
    """Why a launch was refused, as the page shows it: a reason code, what to do, the HTTP status."""

    reason: str
    message: str
    status: int = 400


REFUSALS: tuple[tuple[tuple[str, ...], Refusal], ...] = (
    (("State not found", "cookie session-id"),
     Refusal("cookies", "Your browser did not keep Reset Lab's cookie inside the LMS page. Open Reset Lab in "
                        "a new tab from the LMS, or allow its cookies, and try again.")),
    (("Signature has expired",),
     Refusal("expired", "This launch link has expired. Go back to the LMS and open it again.")),
    (("not yet valid",),
     Refusal("clock", "This launch is dated in the future: the LMS clock and ours disagree. Open it again "
                      "in a minute; if it keeps happening, tell the LMS administrator.")),
    (("Replayed launch",),
     Refusal("replay", "This launch was already used. Go back to the LMS and open the link again.")),
    (("Invalid Nonce", '"nonce" is empty'),
     Refusal("nonce", "This launch does not match your sign-in. Go back to the LMS and open it again.")),
    (("Signature verification failed", "Unable to find public key", "JWT KID not found", "JWT ALG not found",
      "Can't convert JWT key"),
     Refusal("signature", "The LMS's signature on this launch could not be verified, so it was refused.")),
    (("Error during fetch URL", "Must be JSON", "Invalid URL"),
     Refusal("platform_keys", "The LMS's key set could not be read. Try again later, or tell the LMS "
                              "administrator.", 502)),
    (("Registration not found", "Client id not registered", "Could not find registration",
      "Could not find issuer", "Could not find login hint"),
     Refusal("unknown_platform", "This LMS is not registered with Reset Lab. Ask the administrator to add it "
                                 "(flask --app app lti add-platform).")),
    (("Unable to find deployment", "deployment_id is not set"),
     Refusal("unknown_deployment", "This LMS deployment is not registered with Reset Lab. Ask the "
                                   "administrator to add its deployment id.")),
    (("Launch data not found",),
     Refusal("launch_gone", "This page's launch has expired. Open it again from the LMS.")),
)
BAD_MESSAGE = Refusal("bad_message", "The LMS sent an incomplete or malformed launch, so it was refused.")


def refusal_for(message: str) -> Refusal:
    """The page for a pylti1p3 error message (its messages are its API, pinned with the version)."""
    for needles, refusal in REFUSALS:
        if any(needle in message for needle in needles):
            return refusal
    return BAD_MESSAGE
