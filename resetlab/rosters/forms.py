"""The roster import form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

MAX_FILE = 200_000


class ImportForm(FlaskForm):
    """A CSV file or the rows pasted; whether to import the valid rows when some are bad."""

    file = FileField("A CSV file (name, email)", description="From a spreadsheet: “Save as CSV UTF-8”.")
    text = TextAreaField("Or paste the rows", validators=[Length(max=MAX_FILE)],
                         description="One student a line: name, email. A header row is fine.")
    valid_only = BooleanField("Import the valid rows and leave out the ones with errors")
