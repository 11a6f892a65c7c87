"""``keywords suggest`` on the real node: a corpus seeded with a new slang word proposes it, never a
word the keywords already hold; ``keywords accept`` then writes it into the file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from nlp.resources import Resources
from nlp.vocabulary import merge
from radar.cli import app
from tests.integration.workbench.world import SLANG, World, corpus_adverts, slang_advert
from workbench.keyword_sets import load_files
from workbench.suggest import known_tokens, suggest

pytestmark = pytest.mark.es


def test_a_seeded_slang_word_is_proposed_and_can_be_accepted(world: World) -> None:
    recent = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    world.index(corpus_adverts(per_language=6), date="2026-01-05T10:00:00Z")
    world.index([(advert_id, "chat", text) for advert_id, text in map(slang_advert, range(6))], date=recent)
    files = load_files(world.keywords)
    folder = Resources(merge(files)).folder

    found = suggest(
        world.client,
        world.alias,
        files,
        folder,
        languages=("en",),
        since=datetime.now(UTC) - timedelta(days=7),
    )

    terms = [item.term for item in found]
    assert SLANG in terms
    slang = found[terms.index(SLANG)]
    assert slang.language == "en" and 2 <= slang.adverts <= slang.background == 6
    assert slang.examples and SLANG in slang.examples[0]["snippet"]
    known = known_tokens(files, folder)
    assert not [term for term in terms if set(folder.phrase(term)) & known]
    assert "zuwara" not in terms and "lampedusa" not in terms  # curated places: already in the keywords

    accepted = CliRunner().invoke(
        app,
        ["keywords", "accept", SLANG, "--file", str(world.keywords / "transport.yaml"), "--concern",
         "transport.boat", "--lang", "en"],
    )  # fmt: skip
    assert accepted.exit_code == 0, accepted.output
    again = suggest(world.client, world.alias, load_files(world.keywords), folder, languages=("en",))
    assert SLANG not in [item.term for item in again]
