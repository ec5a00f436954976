"""The config file and its profiles: precedence (defaults < file < profile < environment < flags), `config show`
and `config path`, bad files as one line naming the file and the line, the built-in `local` profile and its
server, and the default cache directory."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarize.cli import app
from summarize.config import Settings, default_cache_dir
from summarize.local import LocalModel

from .fakes import SEED_003, LocalServer, chat_completion

runner = CliRunner()
ALIAS = "qwen2.5-coder-1.5b-instruct-q4_k_m"

CONFIG = """\
# defaults for every run
model = "file-model"
target_language = "de"
timeout = 300

[profiles.fast]
model = "profile-model"
length = "short"

[profiles.local]
timeout = 60
"""


def run(*args: Any) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def model_of(*args: Any) -> str:
    """The model `summarize tokens` prices (the settings as the CLI resolved them)."""
    result = run("tokens", SEED_003, *args)
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("model")
    return first.split()[1]


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("SUMMARIZE_CONFIG", str(path))
    return path


@pytest.fixture
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def no_local_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, free_port: int) -> Path:
    """The local model not set up (an empty directory) and nothing on its port."""
    directory = tmp_path / "local-model"
    monkeypatch.setenv("SUMMARIZE_LOCAL_MODEL_DIR", str(directory))
    monkeypatch.setenv("LOCAL_MODEL_PORT", str(free_port))
    return directory


def shown(output: str) -> dict[str, tuple[str, str]]:
    """`config show`'s rows: name -> (value, source)."""
    rows = {}
    for line in output.splitlines()[3:]:
        name, rest = line.split(maxsplit=1)
        value, source = (part.strip() for part in rest.split("  ", 1)) if "  " in rest else (rest, "")
        rows[name] = (value, source.strip())
    return rows


# Precedence ---------------------------------------------------------------------------------------------------


def test_each_level_overrides_the_one_before_file_profile_environment_flag(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings.model_fields["model"].default == "gpt-4o-mini"
    assert model_of() == "file-model"  # the file over the default
    assert model_of("--profile", "fast") == "profile-model"  # the profile over the file
    monkeypatch.setenv("SUMMARIZE_MODEL", "env-model")
    assert model_of("--profile", "fast") == "env-model"  # the environment over the profile
    assert model_of("--profile", "fast", "--model", "flag-model") == "flag-model"  # the flag over everything

    monkeypatch.delenv("SUMMARIZE_MODEL")
    settings = Settings.load(profile="fast")
    assert (settings.model, settings.length, settings.target_language, settings.timeout) == ("profile-model", "short", "de", 300)
    assert settings.max_repairs == 2  # neither file nor profile: the default
    monkeypatch.setenv("SUMMARIZE_PROFILE", "fast")
    assert model_of() == "profile-model"  # the profile chosen by the environment


def test_the_file_can_choose_a_default_profile_and_a_flag_another(config: Path) -> None:
    config.write_text('profile = "fast"\n' + CONFIG.replace("[profiles.local]", "[profiles.slow]"), encoding="utf-8")
    assert model_of() == "profile-model"
    assert Settings.load(profile="slow").timeout == 60 and Settings.load(profile="slow").model == "file-model"


def test_without_a_file_nothing_changes(tmp_path: Path) -> None:
    assert not Path(os.environ["SUMMARIZE_CONFIG"]).exists()
    settings = Settings.load()
    assert (settings.model, settings.target_language, settings.timeout, settings.profile) == ("gpt-4o-mini", "en", 120.0, None)


def test_paths_in_the_file_may_start_with_a_tilde(config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SUMMARIZE_CACHE_DIR")
    config.write_text('cache_dir = "~/news-cache"\n', encoding="utf-8")
    assert Settings.load().cache_dir == tmp_path / "home" / "news-cache"


# config show / config path -----------------------------------------------------------------------------------


def test_config_show_names_every_settings_source_and_never_a_key(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret-123")
    monkeypatch.setenv("SUMMARIZE_MAX_REPAIRS", "5")
    monkeypatch.setenv("SUMMARIZE_BASE_URL", "https://user:hunter2@llm.example.com/v1")
    result = run("config", "show", "--profile", "fast")
    assert result.exit_code == 0, result.output
    assert "sk-very-secret-123" not in result.output and "hunter2" not in result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"config file: {config}" and lines[1] == "profile: fast"
    rows = shown(result.stdout)
    assert set(rows) == set(Settings.model_fields)
    assert rows["api_key"] == ("(set, hidden)", "environment OPENAI_API_KEY")
    assert rows["base_url"] == ("https://***@llm.example.com/v1", "environment SUMMARIZE_BASE_URL")
    assert rows["profile"] == ("fast", "flag --profile")
    assert rows["model"] == ("profile-model", f"profile fast ({config}:7)")
    assert rows["length"] == ("short", f"profile fast ({config}:8)")
    assert rows["target_language"] == ("de", f"config file {config}:3")
    assert rows["timeout"] == ("300", f"config file {config}:4")
    assert rows["max_repairs"] == ("5", "environment SUMMARIZE_MAX_REPAIRS")
    assert rows["max_check_repairs"] == ("1", "default")
    assert rows["cache_dir"][1] == "environment SUMMARIZE_CACHE_DIR"


def test_config_show_of_the_local_profile_shows_it_applied_and_hides_its_key(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_MODEL_PORT", "9123")
    result = run("config", "show", "--profile", "local")
    assert result.exit_code == 0, result.output
    rows = shown(result.stdout)
    assert rows["api_key"] == ("(set, hidden)", "profile local (built in)")
    assert rows["base_url"] == ("http://127.0.0.1:9123/v1", "profile local (built in)")
    assert rows["model"] == (ALIAS, "profile local (built in)")
    assert rows["timeout"] == ("60", f"profile local ({config}:11)")  # the file's [profiles.local] over the built-in 900
    assert rows["target_language"] == ("de", f"config file {config}:3")
    monkeypatch.setenv("SUMMARIZE_PROFILE", "local")
    assert shown(run("config", "show").stdout)["profile"] == ("local", "environment SUMMARIZE_PROFILE")


def test_config_path_prints_the_files_location_and_whether_it_exists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    given = tmp_path / "elsewhere.toml"
    monkeypatch.setenv("SUMMARIZE_CONFIG", str(given))
    missing = run("config", "path")
    assert missing.exit_code == 0 and missing.stdout == f"{given}\n" and "does not exist" in missing.stderr
    given.write_text("", encoding="utf-8")
    present = run("config", "path")
    assert present.stdout == f"{given}\n" and present.stderr.startswith("exists")

    monkeypatch.delenv("SUMMARIZE_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert run("config", "path").stdout == f"{tmp_path / 'xdg' / 'summarize' / 'config.toml'}\n"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert run("config", "path").stdout == f"{tmp_path / 'home' / '.config' / 'summarize' / 'config.toml'}\n"
    (tmp_path / "home" / ".config" / "summarize").mkdir(parents=True)
    (tmp_path / "home" / ".config" / "summarize" / "config.toml").write_text('model = "from-home"\n', encoding="utf-8")
    assert model_of() == "from-home"  # the default location is the one read


# Bad files ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ('model = "m"\n\n[profiles.fast\nlength = "short"\n', "3:15", "invalid TOML"),
        ('model = "m"\nmodle = "n"\n', "2", "unknown setting 'modle'; did you mean 'model'?"),
        ('model = "m"\n[profiles.fast]\nlength = "short"\ncolour = "red"\n', "4", "unknown setting 'colour' in [profiles.fast]"),
        ('model = "m"\ntimeout = "slow"\n[profiles.fast]\n', "2", "invalid setting timeout from config file"),
        ('[profiles.fast]\nmodel = "m"\n\nmax_repairs = -1\n', "4", "invalid setting max_repairs from profile fast"),
        ('target_language = "xx-nonsense-42"\n[profiles.fast]\n', "1", "invalid setting target_language"),
        ('model = "m"\napi_key = "sk-in-a-file"\n', "2", "api_key is not read from the config file"),
        ('[profiles.fast]\nprofile = "other"\n', "2", "a profile cannot choose a profile"),
    ],
)
def test_a_bad_file_is_one_line_naming_the_file_and_the_line_exit_3(config: Path, text: str, line: str, says: str) -> None:
    config.write_text(text, encoding="utf-8")
    for command in (["tokens", SEED_003, "--profile", "fast"], ["config", "show", "--profile", "fast"]):
        result = run(*command)
        assert result.exit_code == 3, result.output
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), result.stderr
        assert f"{config}:{line}" in result.stderr and says in result.stderr, result.stderr
        assert "sk-in-a-file" not in result.stderr


def test_an_unknown_profile_is_one_line_listing_the_known_ones(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run("tokens", SEED_003, "--profile", "openai")
    assert result.exit_code == 3
    assert result.stderr == f"error: unknown profile 'openai': the profiles are fast, local (in {config})\n"
    monkeypatch.setenv("SUMMARIZE_PROFILE", "nope")
    assert run("config", "show").exit_code == 3
    config.unlink()
    gone = run("brief", SEED_003)
    assert gone.exit_code == 3 and gone.stderr == f"error: unknown profile 'nope': the profiles are local (no config file at {config})\n"


# The built-in local profile -----------------------------------------------------------------------------------


def test_the_built_in_local_profile_points_at_the_local_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_MODEL_PORT", "9123")
    settings = Settings.load(profile="local")
    assert settings.base_url == "http://127.0.0.1:9123/v1" == LocalModel.from_env().base_url
    assert settings.model == ALIAS and settings.timeout == 900
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "local"
    assert Settings.load(profile="local", model="other").model == "other"
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:7/v1")
    assert Settings.load(profile="local").base_url == "http://127.0.0.1:7/v1"  # the environment over the profile


def test_profile_local_with_nothing_set_up_says_to_run_setup_and_builds_nothing(no_local_model: Path) -> None:
    result = run("brief", SEED_003, "--profile", "local", "--no-cache")
    assert result.exit_code == 3, result.output
    assert result.stderr.count("\n") == 1 and "run 'summarize local setup'" in result.stderr, result.stderr
    assert "starting the local model" not in result.stderr
    assert not no_local_model.exists()  # nothing fetched, nothing built
    assert run("tokens", SEED_003, "--profile", "local").exit_code == 0  # prices only: no server needed


def test_profile_local_uses_a_running_server_without_starting_one(no_local_model: Path, monkeypatch: pytest.MonkeyPatch, cited_answer: dict[str, Any]) -> None:
    def respond(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        if path == "/health":
            return 200, {"content-type": "application/json"}, b'{"status": "ok"}'
        if path == "/v1/models":
            return 200, {"content-type": "application/json"}, json.dumps({"data": [{"id": ALIAS}]}).encode()
        if path == "/v1/chat/completions":
            return 200, {"content-type": "application/json"}, json.dumps(chat_completion(json.dumps(cited_answer))).encode()
        return 404, {}, b""

    with LocalServer(respond) as server:
        monkeypatch.setenv("LOCAL_MODEL_PORT", server.url.rsplit(":", 1)[1])
        result = run("brief", SEED_003, "--profile", "local", "--no-cache", "-f", "json")
    assert result.exit_code == 0, result.output
    assert "starting the local model" not in result.stderr and not no_local_model.exists()
    chats = [r for r in server.requests if r[1] == "/v1/chat/completions"]
    assert len(chats) == 1 and json.loads(chats[0][2])["model"] == ALIAS
    assert {k.lower(): v for k, v in chats[0][3].items()}["authorization"] == "Bearer local"
    assert json.loads(result.stdout)["provenance"]["model"] == ALIAS


# The default cache directory ----------------------------------------------------------------------------------


def test_the_default_cache_is_the_user_cache_directory_outside_a_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUMMARIZE_CACHE_DIR")
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    monkeypatch.chdir(downloads)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    assert default_cache_dir() == Settings.load().cache_dir == tmp_path / "xdg-cache" / "summarize"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert Settings.load().cache_dir == tmp_path / "home" / ".cache" / "summarize"

    from .fakes import EXCHANGES

    done = run("brief", SEED_003, "--replay", EXCHANGES)
    assert done.exit_code == 0, done.output
    assert list(downloads.iterdir()) == []  # no cache/ folder where the user happened to be
    assert (tmp_path / "home" / ".cache" / "summarize").is_dir()
    assert shown(run("config", "show").stdout)["cache_dir"] == (str(tmp_path / "home" / ".cache" / "summarize"), "default (the user cache directory)")


def test_the_default_cache_is_a_projects_own_cache_directory_when_there_is_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUMMARIZE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    project = tmp_path / "project"
    (project / "cache").mkdir(parents=True)
    monkeypatch.chdir(project)
    assert Settings.load().cache_dir == Path("cache")
    assert shown(run("config", "show").stdout)["cache_dir"] == ("cache", "default (./cache exists here)")
    (project / "cache").rmdir()
    (project / "cache").write_text("a file, not a cache", encoding="utf-8")
    assert Settings.load().cache_dir == tmp_path / "xdg-cache" / "summarize"
