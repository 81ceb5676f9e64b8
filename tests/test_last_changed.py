"""Last-change dates from git (okrsite/source/gitinfo.py), kept between builds:
with a store, a build reads only the commits since the kept one, and the
answer always equals reading the whole history. Real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

from contentkit import git

from okrsite.source.gitinfo import last_changed


def commit(repo: Path, files: dict[str, str], date: str, message: str = "edit") -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, date=date)


def repository(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(
        repo,
        {"content/company.yaml": "a", "content/2026-Q1/a.yaml": "1", "content/2026-Q1/b.yaml": "1"},
        "2026-01-05T10:00:00Z",
    )
    commit(repo, {"content/2026-Q1/a.yaml": "2"}, "2026-02-02T10:00:00Z")
    return repo


def test_new_commits_are_read_alone_and_the_answer_equals_the_whole_history(
    tmp_path: Path,
) -> None:
    repo = repository(tmp_path)
    content, store = repo / "content", tmp_path / "cache" / "last-changed.json"
    first = last_changed(content, store)
    assert first == last_changed(content) == {
        "content/company.yaml": "2026-01-05",
        "content/2026-Q1/a.yaml": "2026-02-02",
        "content/2026-Q1/b.yaml": "2026-01-05",
    }
    commit(repo, {"content/2026-Q1/b.yaml": "2", "content/2026-Q2/c.yaml": "1"}, "2026-04-01T09:00:00Z")
    commit(repo, {"README.md": "outside the content"}, "2026-04-02T09:00:00Z")
    kept = json.loads(store.read_text(encoding="utf-8"))
    # The store is what the next build starts from: plant a marker in it to
    # see that only the new commits are read (the rest comes from the store).
    kept["dates"]["content/company.yaml"] = "kept"
    store.write_text(json.dumps(kept), encoding="utf-8")
    again = last_changed(content, store)
    assert again["content/company.yaml"] == "kept"
    assert again["content/2026-Q1/b.yaml"] == again["content/2026-Q2/c.yaml"] == "2026-04-01"
    assert again["content/2026-Q1/a.yaml"] == "2026-02-02"
    head = git(repo, "rev-parse", "HEAD").strip()
    assert json.loads(store.read_text(encoding="utf-8"))["head"] == head


def test_a_rewritten_branch_reads_the_whole_history_again(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    content, store = repo / "content", tmp_path / "last-changed.json"
    commit(repo, {"content/2026-Q1/b.yaml": "x"}, "2026-03-01T10:00:00Z")
    last_changed(content, store)
    git(repo, "reset", "-q", "--hard", "HEAD~1")  # the kept commit is no longer an ancestor
    commit(repo, {"content/company.yaml": "y"}, "2026-03-05T10:00:00Z")
    assert last_changed(content, store) == last_changed(content)
    assert last_changed(content, store)["content/2026-Q1/b.yaml"] == "2026-01-05"


def test_a_foreign_or_damaged_store_is_ignored(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    content, store = repo / "content", tmp_path / "last-changed.json"
    store.write_text("{not json", encoding="utf-8")
    assert last_changed(content, store) == last_changed(content)
    data = json.loads(store.read_text(encoding="utf-8"))
    data["content"] = "/elsewhere/content"
    data["dates"] = {"content/company.yaml": "wrong"}
    store.write_text(json.dumps(data), encoding="utf-8")
    assert last_changed(content, store)["content/company.yaml"] == "2026-01-05"


def test_outside_a_repository_there_are_no_dates(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    assert last_changed(tmp_path / "content", tmp_path / "store.json") == {}
    assert not (tmp_path / "store.json").exists()
