"""Data rights: a learner's export and account deletion; an instructor's class deletion; password change."""
