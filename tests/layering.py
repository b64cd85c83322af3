"""An import-linter contract type: some modules must not import certain names from a module.

Stock contracts work on whole modules; "services never call abort() or read flask.request" is about
names imported from `flask`, which every layer imports for something. Configured in pyproject.toml.
"""

from __future__ import annotations

import re

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.domain.helpers import module_expressions_to_modules


class ForbiddenNamesContract(Contract):
    """Source modules may import `module`, but never the listed names from it."""

    source_modules = fields.ListField(subfield=fields.ModuleExpressionField())
    module = fields.StringField()
    names = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        """Look at every import of `module` by a source module and name what it brings in."""
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, self.names)) + r")\b")
        found = []
        for source in sorted(m.name for m in module_expressions_to_modules(graph, self.source_modules)):
            for detail in graph.get_import_details(importer=source, imported=self.module):
                words = detail["line_contents"].split(" import ", 1)
                if len(words) == 2 and pattern.search(words[1]):
                    found.append((source, detail["line_number"], detail["line_contents"]))
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """One line per forbidden import."""
        for source, line, contents in check.metadata["found"]:
            output.print_error(f"{source}:{line}: {contents}")
            output.new_line()
