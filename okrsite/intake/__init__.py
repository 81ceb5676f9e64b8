"""``okrsite import``: spreadsheets and OKR-tool exports → content files.

The stages, one module each, in the order they run:

- :mod:`~okrsite.intake.table`: read a ``.csv`` or ``.xlsx`` file into rows
  of text with their spreadsheet row numbers (the header row is 1).
- :mod:`~okrsite.intake.columns`: recognise the shape (row per key result, or
  row per item with a ``Type`` column) and match headers to fields.
- :mod:`~okrsite.intake.values`: ``$1.2M``, ``35%``, ``6 h`` → number, unit
  and prefix as the content format writes them.
- :mod:`~okrsite.intake.plan`: rows → units, cycles and objectives to write
  (the data types in :mod:`~okrsite.intake.types`), with ids derived from
  titles (:mod:`~okrsite.intake.ids`) and parents resolved by title or
  reference.
- :mod:`~okrsite.intake.render`: the plan → YAML text in the style of
  hand-written content; :mod:`~okrsite.intake.edit` adds units and cycles to
  ``org.yaml`` and ``company.yaml`` without touching anything else in them.
- :mod:`~okrsite.intake.apply`: validate the result as a whole in a scratch
  copy, then move every file into place.

Every problem is an :class:`~okrsite.errors.ContentIssue` at ``FILE:ROW``;
nothing is written unless there are none.
"""
