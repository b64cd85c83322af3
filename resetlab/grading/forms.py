"""The grading form: the comment and whether to keep it for reuse. Rubric levels are radio buttons
named c0, c1, … whose choices come from the answer's own rubric (read by `services.read_levels`)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

from .services import MAX_COMMENT


class GradeForm(FlaskForm):
    """A comment for the student, and a tick to save it for reuse on this prompt."""

    comment = TextAreaField("Comment for the student", validators=[Length(max=MAX_COMMENT)],
                            render_kw={"rows": 4})
    keep_comment = BooleanField("Save this comment for reuse on this prompt")
