"""The SQLite store: migrations, idempotent saves, revisions, assignments, merges, versions."""

from datetime import UTC, datetime
from pathlib import Path

from newsloom.model import Article, Merge, Rejection, Sentence, Synthesis
from newsloom.store import Store
from synth_fixtures import article

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def art(url: str, text: str = "Body text. More text.", h: str = "h1") -> Article:
    return article(url, text, T0, "example.org", title="A title", language="en", content_hash=h)


def test_schema_is_migrated_and_reopens(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with Store(url) as store:
        assert store.count("articles") == 0
    with Store(url) as store:  # a second open upgrades nothing and keeps data
        assert store.next_story_id() == 1
    with Store(url) as store, store.engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    assert mode == "wal"


def test_save_article_is_idempotent_and_records_revisions(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        a_id, outcome = store.save_article(art("http://x.test/a"))
        assert outcome == "new"
        assert store.save_article(art("http://x.test/a")) == (a_id, "unchanged")
        assert store.count("articles") == 1
        store.save_assignments([(store.articles([a_id])[0], 1, ())])
        store.save_synthesis(None, 1)
        assert store.stories(dirty_only=True) == []
        # a changed page is a new revision of the same article and re-opens its story
        assert store.save_article(art("http://x.test/a", "New body.", "h2")) == (a_id, "revised")
        assert store.articles([a_id])[0].text == "New body."
        assert [s.id for s in store.stories(dirty_only=True)] == [1]
        assert store.articles([a_id])[0].time == T0  # read back timezone-aware


def test_assignments_merges_and_redirects(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        ids = [store.save_article(art(f"http://x.test/{i}"))[0] for i in range(3)]
        arts = store.articles(ids)
        store.save_assignments([(arts[0], 1, ()), (arts[1], 2, ())])
        assert store.pending_articles()[0].id == ids[2]
        store.save_assignments([(arts[2], 2, (Merge(source=1, target=2, at=T0),))])
        assert store.pending_articles() == []
        live = store.stories()
        assert [(s.id, s.article_ids) for s in live] == [(2, ids)]
        assert store.resolve_story(1) == 2
        assert store.resolve_story(99) is None
        assert store.next_story_id() == 3
        assert [(m.source, m.target) for m in store.merge_rows()] == [(1, 2)]


def test_synthesis_versions_roundtrip(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        a_id, _ = store.save_article(art("http://x.test/a"))
        store.save_assignments([(store.articles([a_id])[0], 1, ())])
        for v in (1, 2):
            syn = Synthesis(
                story_id=1,
                version=v,
                headline=Sentence(f"Headline {v}", verdict="supported"),
                paragraphs=[[Sentence("Body.", verdict="supported", reasons=[])]],
                related=[],
                created_at=T0,
                dropped=[Sentence("Bad.", verdict="dropped", reasons=["number 7 unsupported"])],
            )
            store.save_synthesis(syn, 1)
        history = store.syntheses(1)
        assert [s.version for s in history] == [1, 2]
        assert history[-1].dropped[0].reasons == ["number 7 unsupported"]
        assert store.latest_version(1) == 2


def test_rejections_are_recorded_once(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        for _ in range(2):
            store.reject("extract", Rejection("http://x.test/a", "too short"))
        rows = store.rejection_rows()
        assert [(r.url, r.reason) for r in rows] == [("http://x.test/a", "too short")]
