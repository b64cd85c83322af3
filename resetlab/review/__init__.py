"""Spaced review: missed questions come back on an FSRS schedule, one card per screen."""
