"""Pure content layer: lessons and quiz banks loaded into frozen dataclasses and validated."""

from .catalog import Rules, check_course, load_catalog
from .model import Bank, Catalog, Choice, ContentError, Lesson, Problem, Question

__all__ = ["Bank", "Catalog", "Choice", "ContentError", "Lesson", "Problem", "Question", "Rules",
           "check_course", "load_catalog"]
