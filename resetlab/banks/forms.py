"""Forms for instructors' banks: settings, upload or paste, edit one question."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..web.forms import strip

MAX_TEXT = 200_000
FORMAT_CHOICES = [SelectChoice("auto", "Work it out from the file"), SelectChoice("gift", "GIFT (Moodle)"),
                  SelectChoice("toml", "TOML (Reset Lab's bank format)")]


class SettingsForm(FlaskForm):
    """A bank's title, lesson, practice and questions per attempt (choices of `lesson` set by the view)."""

    title = StringField("Bank title", validators=[DataRequired(), Length(max=200)], filters=[strip])
    lesson = SelectField("Goes with lesson", choices=[], validate_choice=True,
                         description="Optional. Questions may then name a heading of it as their section.")
    practice = BooleanField("Open for practice to the students of my classes",
                            description="Off: the questions are for graded assignments only.")
    draw = IntegerField("Questions per attempt", validators=[Optional(), NumberRange(1, 60)],
                        description="Leave empty for all of them (at most 20).")


class UploadForm(SettingsForm):
    """A new bank: a file, or the questions pasted; then the settings."""

    title = StringField("Bank title", validators=[Optional(), Length(max=200)], filters=[strip],
                        description="Leave empty to use the file's own title (its GIFT category).")
    file = FileField("A GIFT or TOML file", description="At most 200 KB, saved as UTF-8.")
    text = TextAreaField("Or paste the questions", validators=[Length(max=MAX_TEXT)],
                         description="GIFT as Moodle writes it, or our TOML bank format.")
    format = SelectField("Format", choices=FORMAT_CHOICES)


class EditForm(FlaskForm):
    """One question as text (GIFT or TOML)."""

    text = TextAreaField("The question", validators=[DataRequired(), Length(max=MAX_TEXT)])
    format = SelectField("Format", choices=FORMAT_CHOICES[1:])


class DeleteForm(FlaskForm):
    """Deleting a bank asks for a tick."""

    sure = BooleanField("Yes, delete this bank",
                        validators=[DataRequired("Tick the box to delete the bank.")])
