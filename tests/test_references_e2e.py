"""References on Discord: the Sources of each passage and /ref, with the real discord.py client
against the tests' local Discord (127.0.0.1), on an article whose references file gives texts
and links (tests/data/corpus/toronto-star.refs.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.botrun import custom_ids, embed_text, start_bot, write_config
from tests.discord_limits import message_problems
from tests.fakediscord import FakeDiscord
from tests.fakediscord.fixtures import BotSpawner

ARTICLE = Path(__file__).parent / "data" / "corpus" / "toronto-star.txt"


@pytest.fixture(scope="module")
def server(
    fake_discord_module: FakeDiscord,
    spawn_bot_module: BotSpawner,
    tmp_path_factory: pytest.TempPathFactory,
) -> FakeDiscord:
    config = write_config(tmp_path_factory.mktemp("refs") / "config.yaml", fake_discord_module)
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["knowledge"] = [str(ARTICLE)]
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    start_bot(spawn_bot_module, fake_discord_module, config)
    fake_discord_module.wait_commands()
    return fake_discord_module


def _answer(server: FakeDiscord, name: str, options: dict[str, Any]) -> dict[str, Any]:
    user = server.make_user(f"reader-{name}-{sorted(options.items())}")
    return server.wait_answer(server.inject_command(name, options, user=user))


def test_answers_show_each_passage_sources_with_web_links(server: FakeDiscord) -> None:
    message = _answer(server, "ask", {"question": "who owns the voting shares of torstar"})
    assert message_problems(message) == []
    fields = message["embeds"][0].get("fields") or []
    sources = [f for f in fields if f["name"].startswith("Sources of")]
    assert sources, embed_text(message)
    # Reference 17 has an http link in the references file: its number links to it.
    assert any("[[17]](http://www.torstar.com/" in f["value"] for f in sources)


def test_ref_shows_the_reference_and_the_passages_citing_it(server: FakeDiscord) -> None:
    message = _answer(server, "ref", {"number": 17})
    text = embed_text(message)
    assert message["embeds"][0]["title"].startswith("[17] Torstar Corporation 2011")
    assert "the five families" in text  # the passage that cites [17]
    assert message_problems(message) == []
    assert custom_ids(message)  # votes, like every answer


def test_ref_of_an_uncited_number_says_so_privately(server: FakeDiscord) -> None:
    message = _answer(server, "ref", {"number": 999})
    assert "No passage of the loaded documents cites reference [999]" in message["content"]
    assert message["flags"] & 64


def test_ref_autocomplete_offers_cited_numbers_with_their_text(server: FakeDiscord) -> None:
    ix = server.inject_autocomplete(
        "ref", {"number": "1"}, focused="number", user=server.make_user("typist")
    )
    choices = server.wait_choices(ix)
    assert choices and all(str(c["value"]).startswith("1") for c in choices)
    assert any(c["name"].startswith("[17] Torstar Corporation") for c in choices)
    assert all(1 <= len(c["name"]) <= 100 for c in choices)
