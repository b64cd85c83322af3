"""The one registry of question types: every class in `types/` registers itself by name."""

from __future__ import annotations

import importlib
import pkgutil
from types import MappingProxyType

from . import types as type_modules
from .base import QuestionType


def _discover() -> dict[str, QuestionType]:
    """An instance of every concrete QuestionType defined in the modules of `types/`."""
    found: dict[str, QuestionType] = {}
    for info in sorted(pkgutil.iter_modules(type_modules.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{type_modules.__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, QuestionType) \
                    and value.__module__ == module.__name__ and "name" in vars(value):
                found[value.name] = value()
    return dict(sorted(found.items(), key=lambda item: item[1].order))


TYPES: MappingProxyType[str, QuestionType] = MappingProxyType(_discover())


class UnknownType(KeyError):
    """A question names a type the registry does not have."""


def kind(name: str) -> QuestionType:
    """The question type called `name`."""
    try:
        return TYPES[name]
    except KeyError:
        raise UnknownType(name) from None
