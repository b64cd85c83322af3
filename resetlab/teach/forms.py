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
from ..web.forms import DateWithin, FiniteDecimalField, ascii_int, strip


class ClassForm(FlaskForm):
    """Create or rename a class."""

    name = StringField("Class name", validators=[DataRequired(), Length(max=120)], filters=[strip])


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes rather than a multi-select: easier on phones and with a keyboard."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DatesForm(FlaskForm):
    """An opening and a due date, in the instructor's time zone."""

    open_at = DateTimeLocalField("Opens", format="%Y-%m-%dT%H:%M", validators=[InputRequired(), DateWithin()])
    due_at = DateTimeLocalField("Due", format="%Y-%m-%dT%H:%M", validators=[InputRequired(), DateWithin()])

    def validate_due_at(self, field) -> None:
        """The due date must come after the opening date."""
        if self.open_at.data and field.data and field.data <= self.open_at.data:
            raise ValidationError("The due date must be after the opening date.")


class AssignmentRulesForm(DatesForm):
    """An assignment's dates and attempt rules (to assign, or to change an assignment)."""

    attempts_allowed = IntegerField("Attempts allowed", validators=[Optional(), NumberRange(1, 50)],
                                    description="1 to 50; leave empty for unlimited.")
    grading = SelectField("Grade taken from",
                          choices=[SelectChoice(g.value, f"{g.value.capitalize()} attempt") for g in Grading])
    draw = IntegerField("Questions per attempt", validators=[Optional(), NumberRange(1, 60)],
                        description="1 to 60; leave empty to use the quiz's own number.")
    time_limit_minutes = IntegerField("Time limit (minutes)", validators=[Optional(), NumberRange(1, 600)],
                                      description="1 to 600; leave empty for no time limit. "
                                                  "Enforced on the server.")
    reveal = SelectField("Show answers and explanations", choices=[
        SelectChoice(Reveal.IMMEDIATELY.value, "Right after submitting"),
        SelectChoice(Reveal.AFTER_DUE.value, "After the due date"),
        SelectChoice(Reveal.NEVER.value, "Never")])


class AssignForm(AssignmentRulesForm):
    """Assign one or more lesson quizzes with dates and attempt rules."""

    banks = MultiCheckboxField("Lessons to assign", validators=[DataRequired("Choose at least one lesson.")])
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


EDIT_NOTES = {  # what a change does to attempts already made, said beside each field
    "open_at": "A later opening date stops new attempts until then; attempts made stay.",
    "due_at": "Finished attempts are marked late or on time again against the new due date.",
    "attempts_allowed": "No attempt is deleted: a student who has used the new limit (plus any extra "
                        "attempts you gave them) cannot start another.",
    "grading": "Every student's counted score is worked out again at once.",
    "draw": "For attempts started from now on; attempts made keep their questions and scores.",
    "time_limit_minutes": "For attempts started from now on; open attempts keep their deadline.",
    "reveal": "Applies at once to every attempt, old and new.",
}


class EditAssignmentForm(AssignmentRulesForm):
    """Change an assignment: each field also says what the change does to attempts already made."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, note in EDIT_NOTES.items():
            field = self[name]
            field.description = f"{field.description} {note}".strip()


class CopyForm(DatesForm):
    """Copy an assignment to another of the instructor's classes, with its own dates."""

    target = SelectField("Copy to the class", coerce=int, validate_choice=True)


class IdsField(SelectMultipleField):
    """Ids posted by checkboxes or hidden fields: whole numbers in the database's range, else the form is
    invalid (a tampered or huge id is a clear error, never a database overflow)."""

    def process_formdata(self, valuelist) -> None:
        """Parse every value, or none."""
        parsed = [ascii_int(value) for value in valuelist]
        self.data = [p for p in parsed if p is not None]
        if len(self.data) != len(parsed):
            self.data = []
            raise ValueError("Select students from the list.")

    def pre_validate(self, form) -> None:
        """Any id may be posted; the service keeps only this class's students."""


class SelectedForm(FlaskForm):
    """The students an action applies to (checkboxes on the roster, hidden fields on a confirmation)."""

    ids = IdsField("Students", validators=[DataRequired("Select at least one student.")])


class AccommodationForm(FlaskForm):
    """Extra time and extra attempts for one student."""

    time_multiplier = FiniteDecimalField("Time multiplier", places=2, default=1,
                                   validators=[InputRequired(), NumberRange(1, 4)],
                                   description="1 to 4: 1.5 gives half as much time again on timed "
                                               "quizzes.")
    extra_attempts = IntegerField("Extra attempts", default=0,
                                  validators=[InputRequired(), NumberRange(0, 20)],
                                  description="0 to 20, on top of each assignment's own limit.")


class SelectedAccommodationForm(AccommodationForm, SelectedForm):
    """One accommodation for every selected student."""
