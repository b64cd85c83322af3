"""One module per family of question types; the registry imports every module here."""
