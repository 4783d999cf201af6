"""Entries (events as a worker logs them): `write` records, voids and corrects them under the rules; `read` reads
them back for the person who logs them."""
