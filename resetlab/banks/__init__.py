"""Instructors' own question banks: upload (GIFT or TOML), preview with lint, edit, practise, export."""
