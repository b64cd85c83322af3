"""Offline study: manifest, service worker, practice packs, and syncing answers made offline."""
