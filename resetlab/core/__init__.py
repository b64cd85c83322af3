"""The pure core: content, question types, grading, rules and statistics.

Nothing here imports Flask, Flask-Login, WTForms or SQLAlchemy, and nothing reads the clock:
time is always passed in. Tests of this package need no app and no database.
"""
