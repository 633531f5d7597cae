"""Config files as admins write them: every key checked by name, the token kept out of sight."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid_and_documents_every_key() -> None:
    example = Path(__file__).parent.parent / "config.example.yaml"
    config = load_config(example, environ={})
    assert config.retrieval.top_k == 3 and config.discord.sync == "global"
    text = example.read_text(encoding="utf-8")
    for key in (
        "knowledge:",
        "min_coverage:",
        "cache_dir:",
        "token:",
        "guild_ids:",
        "sync:",
        "api_base_url:",
        "gateway_url:",
        "shard_count:",
        "shard_ids:",
        "channel_allowlist:",
        "cooldown:",
        "feedback_db:",
        "log_level:",
    ):
        assert key in text, key


def test_environment_token_wins_and_is_not_in_repr(tmp_path: Path) -> None:
    path = write(tmp_path, "discord:\n  token: from-file\n")
    assert load_config(path, environ={}).discord.token == "from-file"
    config = load_config(path, environ={"DISCORD_TOKEN": "from-env"})
    assert config.discord.token == "from-env"
    assert "from-env" not in repr(config)


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, "knowledge: docs/\ndiscord:\n  feedback_db: votes.sqlite3\n")
    config = load_config(path, environ={})
    assert config.knowledge == (tmp_path / "docs",)
    assert config.discord.feedback_db == tmp_path / "votes.sqlite3"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("retrieval:\n  top_k: 0\n", "'retrieval.top_k' must be a positive number"),
        (
            "retrieval:\n  top_k: true\n",
            "'retrieval.top_k' must be a positive number, not a boolean",
        ),
        (
            "retrieval:\n  min_coverage: 2\n",
            "'retrieval.min_coverage' must be a number from 0 to 1",
        ),
        ("discord:\n  sync: sometimes\n", "'discord.sync' must be one of guild, global, off"),
        (
            "discord:\n  cooldown:\n    rate: 5\n    burst: 2\n",
            "unknown config key 'discord.cooldown.burst'",
        ),
        ("discord:\n  guild_ids: [1, two]\n", "'discord.guild_ids' must be a list of integers"),
        ("discord:\n  shard_ids: [0]\n", "'discord.shard_ids' needs 'discord.shard_count'"),
        ("discord:\n  shard_count: 2\n  shard_ids: [2]\n", "must be below 'discord.shard_count'"),
        ("log_level: LOUD\n", "'log_level' must be one of"),
        ("- just\n- a list\n", "a config file must be a mapping of keys, not list"),
        ("discord: [unclosed\n", r"line \d+: not valid YAML"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(write(tmp_path, text), environ={})
    assert "\n" not in str(caught.value)


def test_unreadable_config_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(tmp_path / "missing.yaml", environ={})


def test_admin_dm_and_retention_keys(tmp_path: Path) -> None:
    defaults = load_config(write(tmp_path, "discord: {}\n"), environ={}).discord
    assert (defaults.admin_ids, defaults.allow_dms, defaults.retention_days) == ((), False, 90)
    text = "discord:\n  admin_ids: [7, 8]\n  allow_dms: true\n  retention_days: 30\n"
    settings = load_config(write(tmp_path, text), environ={}).discord
    assert (settings.admin_ids, settings.allow_dms, settings.retention_days) == ((7, 8), True, 30)
    for bad, message in (
        ("allow_dms: yes please", "'discord.allow_dms' must be true or false"),
        ("retention_days: 0", "'discord.retention_days' must be a positive number"),
        ("admin_ids: [me]", "'discord.admin_ids' must be a list of integers"),
    ):
        with pytest.raises(ConfigError, match=message):
            load_config(write(tmp_path, f"discord:\n  {bad}\n"), environ={})
