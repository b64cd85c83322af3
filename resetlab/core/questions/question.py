"""The Question: what every type has in common, plus the type's own data (`body`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import QuestionType

# Snapshot format 1 listed every type's fields on every question; keeping their defaults keeps
# content hashes (and so stored attempts and devices' queued answers) valid across versions.
LEGACY_KEYS: dict[str, Any] = {
    "options": [], "correct": [], "truth": None, "accepted": [], "number": None, "tolerance": 0.0,
    "unit": "", "items": [], "lefts": [], "rights": [], "pairs": [],
}


@dataclass(frozen=True)
class Stimulus:
    """A primary-source excerpt shown above the questions asked about it (a `source` question)."""

    id: str
    title: str
    excerpt_html: str
    citation: str
    url: str = ""

    def as_json(self) -> dict[str, str]:
        """As kept in the snapshot of every question that shows it."""
        return {"id": self.id, "title": self.title, "excerpt_html": self.excerpt_html,
                "citation": self.citation, "url": self.url}


@dataclass(frozen=True)
class Question:
    """One quiz question with its answer key; `to_snapshot` freezes what a student was served.

    `group` and `secure` are policy, not content: they are not in the snapshot or the content hash.
    A stimulus is content: a question shown with one keeps it in its snapshot.
    """

    id: str
    type: str
    prompt: str
    prompt_html: str
    explanation_html: str
    lesson: str
    section: str
    difficulty: str
    skill: str
    body: Any
    group: str | None = None  # questions that give each other away share a group: never drawn together
    secure: bool = False  # assessment-only: never shown in practice, packs or review before the reveal
    stimulus: Stimulus | None = None  # the source excerpt this question is asked about, shown above it

    @cached_property
    def kind(self) -> QuestionType:
        """The question's type, from the registry (looked up once per question: grading a submit asks
        it some sixty times, and the lookup's import statement costs more than the rest)."""
        from .registry import kind

        return kind(self.type)

    def to_snapshot(self) -> dict[str, Any]:
        """A JSON-able copy of everything needed to show and grade this question later."""
        snapshot = {
            "id": self.id, "type": self.type, "prompt": self.prompt, "prompt_html": self.prompt_html,
            "explanation_html": self.explanation_html, "lesson": self.lesson, "section": self.section,
            "difficulty": self.difficulty, "skill": self.skill,
            **LEGACY_KEYS, **self.kind.snapshot(self.body),
        }
        if self.stimulus is not None:  # only then, so every other question keeps its content hash
            snapshot["stimulus"] = self.stimulus.as_json()
        return snapshot

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Question:
        """Rebuild the question exactly as it was served, whatever the bank says now."""
        from .registry import kind

        return cls(id=data["id"], type=data["type"], prompt=data["prompt"],
                   prompt_html=data["prompt_html"], explanation_html=data["explanation_html"],
                   lesson=data["lesson"], section=data["section"], difficulty=data["difficulty"],
                   skill=data["skill"], body=kind(data["type"]).from_snapshot(data),
                   stimulus=Stimulus(**data["stimulus"]) if data.get("stimulus") else None)

    @cached_property
    def content_hash(self) -> str:
        """A fingerprint of the served version, so attempts record which version they saw."""
        blob = json.dumps(self.to_snapshot(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]
