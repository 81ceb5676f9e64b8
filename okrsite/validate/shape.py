"""Pass 1, shape: each file against its pydantic schema, every node located.

The schemas are ``CompanyFile``, ``OrgFile`` and ``UnitCycleFile``; errors
become located issues (:mod:`okrsite.validate.located`), and every node of
a valid file learns its ``source`` location (and shares its fields set with
the nodes of its class given the same fields, see
:func:`~okrsite.model.content.share_fields_set`).
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import ValidationError

from okrsite.errors import ContentIssue
from okrsite.model import Node, UnitCycleFile, set_sources_at
from okrsite.model.content import FieldsSets, share_fields_set
from okrsite.source import LoadCache, LoadedFile
from okrsite.source.loaded import DataPath
from okrsite.validate.located import inner_model, located_issues

M = TypeVar("M", bound=Node)


class Shaper:
    """Validates file shapes for one validation run.

    With a :class:`~okrsite.source.LoadCache`, a file's result is remembered
    for its :class:`LoadedFile` object: the loader hands out the same object
    for unchanged bytes, so a preview server's rebuild validates only the
    files that changed. The returned node is then shared and must be treated
    as read-only (``redact`` copies before it changes anything).
    """

    def __init__(
        self, cache: LoadCache | None, *, checkins: bool = True, share_fields_sets: bool = True
    ) -> None:
        self.cache = cache
        self.checkins = checkins
        """False: unit files are validated without their key results' check-ins
        (see ``validate(checkins=False)``)."""
        self.share_fields_sets = share_fields_sets
        """False: each node keeps the fields set pydantic gave it (see
        ``validate(share_fields_sets=False)``)."""
        # Fields of each node class that hold nodes, looked up once per class:
        # a large company has 200,000 nodes of about ten classes.
        self._node_fields: dict[type[Node], tuple[tuple[str, bool], ...]] = {}
        # One fields set per node class and fields given, for every file of
        # the run (see share_fields_set).
        self._fields_sets: FieldsSets = {}

    def shape(
        self, file: LoadedFile | None, schema: type[M], issues: list[ContentIssue]
    ) -> M | None:
        """``file`` validated against ``schema``; its issues appended to ``issues``."""
        if file is None:
            return None
        if not self.checkins and schema is UnitCycleFile:
            # Never through the cache: a file's entry there is its whole model.
            node, found = self._validate(file, schema, without_checkins(file.data))
        elif self.cache is None:
            node, found = self._validate(file, schema)
        else:
            node, found = self.cache.derived(schema, file, lambda: self._validate(file, schema))
        issues.extend(found)
        return node

    def _validate(
        self, file: LoadedFile, schema: type[M], data: object = None
    ) -> tuple[M | None, list[ContentIssue]]:
        try:
            node = schema.model_validate(file.data if data is None else data)
        except ValidationError as err:
            return None, located_issues(err, file, schema)
        self._attach_sources(node, file, ())
        return node, []

    def _attach_sources(self, root: Node, file: LoadedFile, root_path: DataPath) -> None:
        """Give every node of a validated file its ``source`` location."""
        display, node_location = file.path, file.node_location
        recorded = file.node_locations.get  # node_location's first look-up, for the leaves
        node_fields = self._node_fields
        fields_sets = self._fields_sets if self.share_fields_sets else None
        todo: list[tuple[Node, DataPath]] = [(root, root_path)]
        while todo:
            node, path = todo.pop()
            line, column = node_location(path)  # file.location(path), for a node
            node.set_source_at(display, line, column)
            if fields_sets is not None:
                share_fields_set(node, fields_sets)
            cls = type(node)
            fields = node_fields.get(cls)
            if fields is None:
                fields = node_fields[cls] = _fields_holding_nodes(cls)
            for name, is_list in fields:
                value = getattr(node, name)
                if value is None:
                    continue
                if not is_list:
                    todo.append((value, (*path, name)))
                    continue
                if not value:
                    continue
                item_cls = type(value[0])  # a list field holds nodes of one class
                item_fields = node_fields.get(item_cls)
                if item_fields is None:
                    item_fields = node_fields[item_cls] = _fields_holding_nodes(item_cls)
                if item_fields:
                    todo.extend((item, (*path, name, i)) for i, item in enumerate(value))
                    continue
                # Leaves (check-ins: most nodes of a file), located here in one
                # pass instead of queued one by one.
                set_sources_at(
                    value, display, (*path, name), recorded, node_location, fields_sets
                )


def without_checkins(data: object) -> object:
    """A unit file's data without its key results' ``checkins`` (copies of the
    mappings on the way; nothing of ``data`` changes). Anything not shaped
    as a unit file's objectives and key results is left as it is."""
    if type(data) is not dict or type(data.get("objectives")) is not list:
        return data
    objectives = []
    for objective in data["objectives"]:
        key_results = objective.get("key_results") if type(objective) is dict else None
        if type(key_results) is list:
            kept = []
            for key_result in key_results:
                if type(key_result) is dict and "checkins" in key_result:
                    key_result = dict(key_result)
                    del key_result["checkins"]
                kept.append(key_result)
            objective = dict(objective)
            objective["key_results"] = kept
        objectives.append(objective)
    stripped = dict(data)
    stripped["objectives"] = objectives
    return stripped


def _fields_holding_nodes(cls: type[Node]) -> tuple[tuple[str, bool], ...]:
    """Fields of ``cls`` holding nodes: (name, is a list)."""
    found: list[tuple[str, bool]] = []
    for name, field in cls.model_fields.items():
        inner = inner_model(field.annotation)
        if inner is None or not issubclass(inner, Node):
            continue
        is_list = getattr(field.annotation, "__origin__", None) is list
        found.append((name, is_list))
    return tuple(found)
