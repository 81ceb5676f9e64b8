"""Reviewing changes: diff, target drift, CODEOWNERS, check-in edits."""
