"""Instructor forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.rubrics import RubricError, parse_rubric_text
from ..core.rules import Grading, Reveal
from ..web.forms import DateWithin, FiniteDecimalField, strip


class ClassForm(FlaskForm):
    """Create or rename a class."""

    name = StringField("Class name", validators=[DataRequired(), Length(max=120)], filters=[strip])


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes rather than a multi-select: easier on phones and with a keyboard."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AssignForm(FlaskForm):
    """Assign one or more lesson quizzes with dates and attempt rules."""

    banks = MultiCheckboxField("Lessons to assign", validators=[DataRequired("Choose at least one lesson.")])
    open_at = DateTimeLocalField("Opens", format="%Y-%m-%dT%H:%M", validators=[InputRequired(), DateWithin()])
    due_at = DateTimeLocalField("Due", format="%Y-%m-%dT%H:%M", validators=[InputRequired(), DateWithin()])
    attempts_allowed = IntegerField("Attempts allowed", validators=[Optional(), NumberRange(1, 50)],
                                    description="Leave empty for unlimited.")
    grading = SelectField("Grade taken from",
                          choices=[SelectChoice(g.value, f"{g.value.capitalize()} attempt") for g in Grading])
    draw = IntegerField("Questions per attempt", validators=[Optional(), NumberRange(1, 60)],
                        description="Leave empty to use the quiz's own number.")
    time_limit_minutes = IntegerField("Time limit (minutes)", validators=[Optional(), NumberRange(1, 600)],
                                      description="Leave empty for no time limit. Enforced on the server.")
    reveal = SelectField("Show answers and explanations", choices=[
        SelectChoice(Reveal.IMMEDIATELY.value, "Right after submitting"),
        SelectChoice(Reveal.AFTER_DUE.value, "After the due date"),
        SelectChoice(Reveal.NEVER.value, "Never")])
    include_written = BooleanField("Add the lesson's written-response prompt (you grade it)",
                                   description="Every attempt ends with the lesson's essay question. Its "
                                               "score waits for your grading; you release grades when ready.")
    written_rubric = TextAreaField(
        "Your own rubric for written answers (optional)", validators=[Optional(), Length(max=4000)],
        filters=[strip], render_kw={"rows": 4},
        description="Leave empty to use each prompt's own rubric. Or type one criterion per line, "
                    "levels from 0 points up: Evidence: none | one fact | specific facts. "
                    "A single number N gives a holistic 0–N score.")

    def validate_written_rubric(self, field) -> None:
        """A typed rubric must read as criteria and levels."""
        if field.data:
            try:
                parse_rubric_text(field.data)
            except RubricError as problem:
                raise ValidationError(f"This rubric cannot be used: {problem}.") from None

    def validate_due_at(self, field) -> None:
        """The due date must come after the opening date."""
        if self.open_at.data and field.data and field.data <= self.open_at.data:
            raise ValidationError("The due date must be after the opening date.")


class AccommodationForm(FlaskForm):
    """Extra time and extra attempts for one student."""

    time_multiplier = FiniteDecimalField("Time multiplier", places=2, default=1,
                                   validators=[InputRequired(), NumberRange(1, 4)],
                                   description="1.5 gives half as much time again.")
    extra_attempts = IntegerField("Extra attempts", default=0,
                                  validators=[InputRequired(), NumberRange(0, 20)])


