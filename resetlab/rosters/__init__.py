"""Class roster import from CSV: names and emails to accounts with one-time set-password links."""
