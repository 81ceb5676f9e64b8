"""Adding units and cycles to org.yaml / company.yaml as text: every other byte stays."""

from __future__ import annotations

import pytest
import yaml

from okrsite.intake.edit import EditError, append_items

NEW = [[("id", "sales-emea"), ("name", "Sales EMEA"), ("kind", "team"), ("parent", "sales")]]


def test_block_items_keep_comments_and_indentation() -> None:
    text = (
        "# The organisation.\n"
        "units:\n"
        "    # --- Sales ---\n"
        "    - id: sales        # the department\n"
        "      name: Sales\n"
        "      kind: department\n"
        "\n"
        "# trailing comment\n"
    )
    result = append_items(text, "units", NEW, comment="added by okrsite import")
    assert result.startswith(text.split("\n# trailing")[0])
    assert result.endswith("\n# trailing comment\n")
    assert "    # added by okrsite import\n    - id: sales-emea\n      name: Sales EMEA\n" in result
    assert [u["id"] for u in yaml.safe_load(result)["units"]] == ["sales", "sales-emea"]


def test_flow_items_get_flow_items() -> None:
    """`- {id: …}` items (as in many hand-written files) get a new item in that style;
    a name with a comma is quoted so the flow mapping stays one mapping."""
    text = "units:\n  - {id: product, name: Product, kind: department}\n"
    items = [[("id", "sales"), ("name", "Sales, EMEA"), ("kind", "team")]]
    result = append_items(text, "units", items)
    assert result == text + '  - {id: sales, name: "Sales, EMEA", kind: team}\n'


@pytest.mark.parametrize(
    "text",
    ["name: Acme\nunits: []   # none yet\n", "name: Acme\nunits:\n", "name: Acme\n", ""],
)
def test_empty_or_missing_lists(text: str) -> None:
    result = append_items(text, "units", NEW)
    data = yaml.safe_load(result)
    assert data["units"] == [
        {"id": "sales-emea", "name": "Sales EMEA", "kind": "team", "parent": "sales"}
    ]
    if "# none yet" in text:
        assert "# none yet" in result


def test_non_empty_flow_list_is_refused() -> None:
    with pytest.raises(EditError, match="block list"):
        append_items("units: [{id: a, name: A, kind: team}]\n", "units", NEW)


def test_file_without_final_newline() -> None:
    result = append_items("units:\n  - id: a\n    name: A", "units", NEW)
    assert [u["id"] for u in yaml.safe_load(result)["units"]] == ["a", "sales-emea"]
