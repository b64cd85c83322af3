"""Pure content layer: lessons and quiz banks loaded into frozen dataclasses and validated."""

from .catalog import Rules, blocking, check_course, load_catalog
from .model import Bank, Catalog, ContentError, Lesson, Problem

__all__ = ["Bank", "Catalog", "ContentError", "Lesson", "Problem", "Rules", "blocking", "check_course",
           "load_catalog"]
