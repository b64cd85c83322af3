"""Pure content layer: lessons and quiz banks loaded into frozen dataclasses and validated."""

from .catalog import Rules, check_course, load_catalog
from .model import Bank, Catalog, ContentError, Lesson, Problem

__all__ = ["Bank", "Catalog", "ContentError", "Lesson", "Problem", "Rules", "check_course", "load_catalog"]
