"""Instructors' own banks: upload or paste → check (every problem and lint finding, path:line) → save;
edit a question (a new version), open it for practice, assign it, export it as GIFT or TOML."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..core.content.gift import GiftExportError
from ..core.content.model import Problem
from ..core.content.owned import Checked, Upload, bank_slug
from ..core.csv import safe_filename
from ..core.questions import describe_key, in_order
from ..course import get_catalog
from ..teach.services import classrooms_of_instructor
from ..web.access import instructor_required
from ..web.forms import ActionForm
from . import services
from .catalog import catalog_bank
from .forms import DeleteForm, EditForm, SettingsForm, UploadForm

bp = Blueprint("banks", __name__, url_prefix="/teach/banks")
MAX_FILE = 200_000


def _lessons(form: SettingsForm) -> None:
    form.lesson.choices = [SelectChoice("", "No lesson")] + [SelectChoice(lesson.slug, lesson.title)
                                                             for lesson in get_catalog().lessons]


def _settings(form: SettingsForm, title: str) -> services.Settings:
    return services.Settings(title, form.lesson.data or None, bool(form.practice.data), form.draw.data)


def _cards(checked: Checked, upload: Upload) -> tuple[list[dict], list[Problem]]:
    """Each checked question with what to show of it and the problems on its line; the rest apart."""
    lines = {data["id"]: line for data, line in zip(checked.data, _kept_lines(checked, upload), strict=True)}
    cards, claimed = [], set()
    for question, data in zip(checked.questions, checked.data, strict=True):
        line = lines[data["id"]]
        found = [p for p in checked.problems if p.line == line and p.line != 1]
        claimed.update(id(p) for p in found)
        cards.append({"q": question, "data": data, "line": line, "key": describe_key(question),
                      "options": in_order(question, question.kind.shuffled(question)), "problems": found})
    return cards, [p for p in checked.problems if id(p) not in claimed]


def _kept_lines(checked: Checked, upload: Upload) -> list[int]:
    by_id = {q.get("id"): upload.line(i) for i, q in enumerate(upload.questions) if isinstance(q, dict)}
    return [by_id.get(data["id"], upload.line(0)) for data in checked.data]


@bp.get("/")
@instructor_required
def home():
    """The instructor's banks, and how to make one."""
    return render_template("banks/home.html", banks=services.banks_of(current_user))


@bp.route("/new", methods=["GET", "POST"])
@instructor_required
def new():
    """Upload a file or paste questions, see every problem and lint finding, then save the bank."""
    form = UploadForm()
    _lessons(form)
    if request.method == "GET":
        return render_template("banks/new.html", form=form)
    if not form.validate_on_submit():
        return render_template("banks/new.html", form=form), 422
    upload_file = form.file.data
    chosen = upload_file is not None and bool(upload_file.filename)
    if chosen:
        data = upload_file.read(MAX_FILE + 1)
        source = safe_filename(upload_file.filename.rsplit("/", 1)[-1]) or "upload"
        if len(data) > MAX_FILE:
            form.file.errors.append(f"The file is larger than {MAX_FILE // 1000} KB.")
            return render_template("banks/new.html", form=form), 422
    else:
        data = (form.text.data or "").encode()
        source = request.form.get("source", "") or "pasted"
    if not data.strip():
        if chosen:
            form.file.errors.append("The file is empty.")
        else:
            form.text.errors.append("Choose a file, or paste the questions.")
        return render_template("banks/new.html", form=form), 422
    upload = services.read(data, safe_filename(source) or "pasted", form.format.data)
    title = form.title.data or upload.title or "My questions"
    settings = _settings(form, title)
    checked = services.check(upload, settings)
    if request.form.get("action") == "save" and checked.ok:
        bank = services.create_bank(current_user, upload, settings)
        flash(f"Bank “{bank.title}” saved with {len(checked.questions)} questions.", "success")
        return redirect(url_for("banks.show", bank_id=bank.id))
    # The title and format fields keep what the instructor chose (an empty title, 'auto'): filled in with
    # what this text gave, they would override the category or format of the next text checked.
    form.text.data = data.decode("utf-8", errors="replace")
    cards, general = _cards(checked, upload)
    status = 200 if request.form.get("action") != "save" else 422
    refused = len(upload.questions) - len(checked.questions)
    return render_template("banks/preview.html", form=form, checked=checked, cards=cards, general=general,
                           source=upload.source, refused=refused, title=title, own_title=upload.title,
                           read_as=upload.format), status


def _mine(bank_id: int):
    return services.bank_for_owner(current_user, bank_id)


@bp.get("/<id:bank_id>")
@instructor_required
def show(bank_id: int):
    """A saved bank: its questions with their lint findings, settings, assign, export, edit."""
    bank = _mine(bank_id)
    rows = services.questions_of(bank)
    built = catalog_bank(bank_slug(bank.id))
    questions = {q.id: q for q in built.questions} if built else {}
    bank_wide, per = services.findings(bank, rows)
    cards = []
    for row in rows:
        q = questions[row.question_id]
        cards.append({"row": row, "q": q, "key": describe_key(q), "problems": per.get(row.local_id, []),
                      "options": in_order(q, q.kind.shuffled(q))})
    form = SettingsForm(obj=bank, lesson=bank.lesson_slug or "")
    _lessons(form)
    return render_template("banks/show.html", bank=bank, cards=cards, bank_wide=bank_wide, form=form,
                           rooms=classrooms_of_instructor(current_user), action=ActionForm())


@bp.post("/<id:bank_id>/settings")
@instructor_required
def settings(bank_id: int):
    """Save the bank's title, lesson, practice and questions per attempt."""
    bank = _mine(bank_id)
    form = SettingsForm()
    _lessons(form)
    if not form.validate_on_submit():
        flash("Those settings could not be saved: " + "; ".join(
            f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items()), "error")
    else:
        services.update_settings(bank, _settings(form, form.title.data))
        flash("Settings saved." + (" Students of your classes can now practise this bank." if bank.practice
                                   else " The bank is for graded assignments only."), "success")
    return redirect(url_for("banks.show", bank_id=bank.id))


@bp.route("/<id:bank_id>/questions/<question>", methods=["GET", "POST"])
@instructor_required
def edit(bank_id: int, question: str):
    """Edit one question as GIFT or TOML text: check shows every problem; save makes a new version."""
    bank = _mine(bank_id)
    local_id = question
    row = services.question_row(bank, local_id)
    form = EditForm()
    fmt = request.args.get("format", "gift") if request.method == "GET" else form.format.data
    fmt = fmt if fmt in ("gift", "toml") else "gift"
    checked, cards, general = None, [], []
    if request.method == "GET":
        form.format.data, form.text.data = fmt, services.edit_text(row, fmt)
    if request.method == "GET" or form.validate_on_submit():
        upload = services.read(form.text.data.encode(), f"{local_id}.{fmt}", fmt)
        checked = services.check_edit(bank, row, upload)
        if request.method == "POST" and request.form.get("action") == "save" and checked.ok \
                and len(checked.questions) == 1:
            changed = services.save_edit(bank, row, checked)
            flash("Question saved as a new version: attempts already made keep the version they were served."
                  if changed else "Nothing changed.", "success")
            return redirect(url_for("banks.show", bank_id=bank.id) + f"#q-{local_id}")
        cards, general = _cards(checked, upload)
    form.text.render_kw = {"rows": min(30, max(8, (form.text.data or "").count("\n") + 3))}
    status = 422 if request.method == "POST" and (checked is None or not checked.ok) else 200
    return render_template("banks/edit.html", bank=bank, row=row, form=form, fmt=fmt, checked=checked,
                           cards=cards, general=general), status


def _download(text: str, name: str, mimetype: str) -> Response:
    return Response(text, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/<id:bank_id>/export.gift")
@instructor_required
def export_gift(bank_id: int):
    """The bank as a GIFT file for Moodle (and for importing here again)."""
    bank = _mine(bank_id)
    try:
        text = services.export_gift(bank)
    except GiftExportError as err:
        flash("This bank cannot be written as GIFT: " + "; ".join(err.problems), "error")
        return redirect(url_for("banks.show", bank_id=bank.id))
    return _download(text, f"{safe_filename(bank.title) or 'bank'}.gift", "text/plain")


@bp.get("/<id:bank_id>/export.toml")
@instructor_required
def export_toml(bank_id: int):
    """The bank in Reset Lab's TOML bank format."""
    bank = _mine(bank_id)
    return _download(services.export_toml(bank), f"{safe_filename(bank.title) or 'bank'}.toml",
                     "application/toml")


@bp.route("/<id:bank_id>/delete", methods=["GET", "POST"])
@instructor_required
def delete(bank_id: int):
    """Delete a bank after a tick; attempts keep their questions, its assignments can no longer start."""
    bank = _mine(bank_id)
    form = DeleteForm()
    if form.validate_on_submit():
        title = bank.title
        services.delete_bank(bank)
        flash(f"Bank “{title}” deleted. Attempts already made keep their questions.", "success")
        return redirect(url_for("banks.home"))
    status = 422 if request.method == "POST" else 200
    return render_template("banks/delete.html", bank=bank, form=form), status
