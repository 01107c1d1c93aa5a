"""The CASE import page's problems read in words, with the JSON path kept for whoever fixes the file."""

from __future__ import annotations


def test_problems_read_in_words() -> None:
    from cultivate.frameworks.case.presenters import problem_words

    missing = problem_words({"path": "$.CFDocument", "message": "required"})
    assert missing["where"] == "The framework document (CFDocument)"
    assert missing["message"] == "missing: add it to the file and import it again"
    item = problem_words({"path": "$.CFItems[12].fullStatement", "message": "required"})
    assert item["where"] == "Item 13 of CFItems, its fullStatement"
    # A message that already says what is wrong is kept.
    assert problem_words({"path": "$", "message": "must be an object"})["message"] == "must be an object"
