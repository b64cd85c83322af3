"""Accounts: sign up, log in, log out, guests; argon2 hashes and session revocation."""
