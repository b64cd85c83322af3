"""The Deep Linking picker (what an LMS teacher places, and how it is graded) and the LMS page's buttons."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional

from ..core.rules import Grading, Reveal


class PickForm(FlaskForm):
    """One lesson or quiz to place in the LMS course (choices set by the view), with grading settings."""

    choice = RadioField("What to add to the course", validators=[DataRequired("Choose a lesson or a quiz.")],
                        validate_choice=True)
    attempts = IntegerField("Attempts allowed", validators=[Optional(), NumberRange(1, 50)],
                            description="Leave empty for unlimited.")
    grading = SelectField("Grade taken from",
                          choices=[SelectChoice(g.value, f"{g.value.capitalize()} attempt") for g in Grading])
    draw = IntegerField("Questions per attempt", validators=[Optional(), NumberRange(1, 60)],
                        description="Leave empty to use the quiz's own number.")
    time_limit = IntegerField("Time limit (minutes)", validators=[Optional(), NumberRange(1, 600)],
                              description="Leave empty for no time limit.")
    reveal = SelectField("Show answers and explanations", choices=[
        SelectChoice(Reveal.IMMEDIATELY.value, "Right after submitting"),
        SelectChoice(Reveal.AFTER_DUE.value, "After the due date"),
        SelectChoice(Reveal.NEVER.value, "Never")])


class SendAgainForm(FlaskForm):
    """Queue one undelivered score again."""

    score = HiddenField(validators=[DataRequired()])
