"""Backup and restore of a whole installation (`hongmian backup`, `hongmian restore`).

A backup is one folder: the database (pg_dump's custom format, or SQLite's online backup),
the folders of files the database points at (uploads, attachments, the analytics store,
signing keys) and `manifest.json`, written last, which names every file with its SHA-256
and the row count of every table. docs/operations.md says how to run a drill.
"""
