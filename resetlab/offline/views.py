"""Offline study (views): the web app manifest, the service worker, the offline page and practice."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from ..course import bank_named, get_catalog
from ..models import utcnow
from ..web.access import current_learner, guest_ok, public
from . import services
from .packs import bank_pack

bp = Blueprint("offline", __name__)

THEME = "#1d4ed8"
BACKGROUND = "#fbfaf7"
SW_CONFIG_LINE = 'const CONFIG = {"version": "dev", "shell": []};'
SHELL_PAGES = ("study.index", "study.glossary", "study.timeline", "offline.page")
NO_CACHE = "no-cache"


def asset_version(static: Path) -> str:
    """A short hash of every static file's path and contents: it changes whenever a deploy does."""
    digest = hashlib.sha256()
    for path in sorted(p for p in static.rglob("*") if p.is_file()):
        digest.update(path.relative_to(static).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _static_files(app: Flask) -> list[str]:
    static = Path(app.static_folder or "")
    return sorted(p.relative_to(static).as_posix() for folder in ("css", "js", "icons")
                  for p in (static / folder).glob("*") if p.is_file() and p.name != "sw.js")


@bp.record_once
def _start_up(state) -> None:
    """Hash the assets once at start-up; the service worker's cache names carry the hash."""
    app = state.app
    source = Path(app.static_folder or "", "js", "sw.js").read_text(encoding="utf-8")
    if SW_CONFIG_LINE not in source:
        raise RuntimeError("static/js/sw.js lost its CONFIG line; resetlab/offline.py fills it in")
    app.extensions["resetlab.offline"] = {"version": asset_version(Path(app.static_folder or "")),
                                          "source": source, "files": _static_files(app)}


def _shell() -> list[str]:
    """The app shell the service worker stores on install."""
    files = current_app.extensions["resetlab.offline"]["files"]
    return [url_for("static", filename=f) for f in files] \
        + [url_for(endpoint) for endpoint in SHELL_PAGES]


def _icon(name: str, sizes: str, kind: str = "image/png", purpose: str = "any") -> dict[str, str]:
    src = url_for("static", filename=f"icons/{name}")
    return {"src": src, "sizes": sizes, "type": kind, "purpose": purpose}


@bp.get("/manifest.webmanifest")
@public
def manifest():
    """The web app manifest, so the course can be installed on a phone's home screen."""
    body = {
        "name": "Reset Lab", "short_name": "Reset Lab",
        "description": "Sourced lessons and quizzes on thirty years of U.S.–Russia resets.",
        "start_url": "/", "scope": "/", "display": "standalone",
        "theme_color": THEME, "background_color": BACKGROUND,
        "icons": [_icon("icon.svg", "any", "image/svg+xml"), _icon("icon-192.png", "192x192"),
                  _icon("icon-512.png", "512x512"),
                  _icon("icon-maskable-512.png", "512x512", purpose="maskable")],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = NO_CACHE
    return response


@bp.get("/sw.js")
@public
def service_worker():
    """The service worker, served from the root so its scope is the whole site."""
    state = current_app.extensions["resetlab.offline"]
    config = json.dumps({"version": state["version"], "shell": _shell()})
    source = state["source"].replace(SW_CONFIG_LINE, f"const CONFIG = {config};", 1)
    response = Response(source, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = NO_CACHE
    return response


@bp.get("/offline")
@public
def page():
    """What the service worker shows for a page that was never opened while online."""
    return render_template("offline.html", catalog=get_catalog())


@bp.get("/practice/<slug>")
@public
def practice(slug: str):
    """Offline practice for one bank: one question at a time, feedback on the device."""
    bank = bank_named(slug, current_user)
    catalog = get_catalog()
    return render_template("study/practice.html", bank=bank,
                           lesson=catalog.lesson(bank.lesson) if bank.lesson else None)


@bp.get("/api/practice/<slug>.json")
@public
def practice_pack(slug: str):
    """The practice pack (questions with keys and explanations) the device caches."""
    response = jsonify(bank_pack(get_catalog(), bank_named(slug, current_user)))
    response.headers["Cache-Control"] = NO_CACHE
    return response


@bp.post("/api/practice/sync")
@guest_ok
def sync():
    """Record queued practice answers exactly once each; visitors get a guest learner."""
    if not request.is_json:
        return jsonify({"error": "Send the answers as JSON: {\"items\": [...]}. Nothing was saved."}), 422
    body = request.get_json(silent=True)
    if body is None:
        return jsonify({"error": "The body is not valid JSON. Nothing was saved."}), 400
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return jsonify({"error": "The body needs an \"items\" list. Nothing was saved."}), 400
    if len(items) > services.MAX_ITEMS:
        return jsonify({"error": f"Send at most {services.MAX_ITEMS} answers at a time. "
                                 "Nothing was saved."}), 413
    viewer = current_user._get_current_object() if current_user.is_authenticated else None
    report = services.sync(get_catalog(), items, current_learner, utcnow(), viewer)
    return jsonify(report.as_json())
