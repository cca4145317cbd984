"""Settings from the environment: a bad value is refused with the variable's name, and the
proxy setting decides whose address the employer form's rate limit counts."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask import request

from smajobs.cli import main
from core.config import Config, ConfigError
from tests.signup_helpers import csrf_token, form_data
from web import create_app


@pytest.mark.parametrize("variable, value, expected", [
    ("SMAJOBS_SMTP_PORT", "587", 587),
    ("SMAJOBS_SMTP_TIMEOUT", "7,5", 7.5),
    ("SMAJOBS_SECURE_COOKIES", "ja", True),
    ("SMAJOBS_SECURE_COOKIES", "off", False),
])
def test_environment_values_are_typed(monkeypatch, variable, value, expected):
    monkeypatch.setenv(variable, value)
    field = variable.removeprefix("SMAJOBS_").lower()
    assert getattr(Config.load(), field) == expected


@pytest.mark.parametrize("variable, value, message", [
    ("SMAJOBS_SMTP_PORT", "to", "SMAJOBS_SMTP_PORT skal være et heltal, ikke 'to'."),
    ("SMAJOBS_SMTP_TIMEOUT", "lang", "SMAJOBS_SMTP_TIMEOUT skal være et tal, ikke 'lang'."),
    ("SMAJOBS_SECURE_COOKIES", "treu", "SMAJOBS_SECURE_COOKIES skal være 1/0, true/false eller ja/nej, ikke 'treu'."),
])
def test_a_bad_environment_value_names_the_variable(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        Config.load()
    assert str(error.value) == message


def test_the_cli_reports_a_bad_setting_in_danish_without_a_traceback(tmp_path):
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "x.db"), "export"],
                                env={"SMAJOBS_OUTBOX_MAX_ATTEMPTS": "mange"})
    assert result.exit_code == 1
    assert result.output.strip() == "Fejl: SMAJOBS_OUTBOX_MAX_ATTEMPTS skal være et heltal, ikke 'mange'."
    assert not (tmp_path / "x.db").exists()


def _limited_client(config, proxy_hops):
    app = create_app(config.with_(signup_rate_limit="1 per hour", proxy_hops=proxy_hops))
    app.config.update(TESTING=True)
    return app.test_client()


def _post_from(client, forwarded_for):
    headers = {"X-Forwarded-For": forwarded_for}
    token = csrf_token(client.get("/virksomhed/tilmeld", headers=headers).get_data(as_text=True))
    return client.post("/virksomhed/tilmeld", data=form_data(token), headers=headers)


def test_behind_a_proxy_the_rate_limit_counts_each_forwarded_client(config, db):
    client = _limited_client(config, proxy_hops=1)
    assert _post_from(client, "198.51.100.7").status_code == 302
    assert _post_from(client, "198.51.100.8").status_code == 302  # another client behind the proxy
    assert _post_from(client, "198.51.100.7").status_code == 429


def test_without_a_proxy_a_forged_forwarded_header_does_not_escape_the_limit(config, db):
    client = _limited_client(config, proxy_hops=0)
    assert _post_from(client, "198.51.100.7").status_code == 302
    assert _post_from(client, "198.51.100.8").status_code == 429


def _client_as_seen_by(config, proxy_hops):
    app = create_app(config.with_(proxy_hops=proxy_hops))
    # A probe route shows what Flask believes about the request after the middleware.
    app.add_url_rule("/_probe", "probe", lambda: f"{request.scheme} {request.host} {request.remote_addr}")
    headers = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "smajobs.example.dk"}
    return app.test_client().get("/_probe", headers=headers).get_data(as_text=True)


def test_behind_a_proxy_the_scheme_host_and_client_come_from_the_proxy(config, db):
    assert _client_as_seen_by(config, proxy_hops=1) == "https smajobs.example.dk 198.51.100.7"
    assert _client_as_seen_by(config, proxy_hops=0) == "http localhost 127.0.0.1"


def test_without_a_configured_key_every_process_shares_one_kept_beside_the_database(tmp_path, monkeypatch):
    monkeypatch.delenv("SMAJOBS_SECRET_KEY", raising=False)
    database = tmp_path / "instance" / "smajobs.db"
    web_key = Config.load(db=str(database)).secret_key
    scheduler_key = Config.load(db=str(database)).secret_key  # another process, later
    assert web_key == scheduler_key and len(web_key) == 64
    assert (database.parent / "secret_key").stat().st_mode & 0o777 == 0o600
    assert Config.load(db=str(tmp_path / "other" / "smajobs.db")).secret_key != web_key


def test_a_configured_key_wins_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("SMAJOBS_SECRET_KEY", "fra-miljøet")
    assert Config.load(db=str(tmp_path / "smajobs.db")).secret_key == "fra-miljøet"
    assert not (tmp_path / "secret_key").exists()


def test_a_key_that_cannot_be_stored_says_where_and_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv("SMAJOBS_SECRET_KEY", raising=False)
    blocker = tmp_path / "fil"
    blocker.write_text("ikke en mappe")
    with pytest.raises(ConfigError, match="Kan ikke gemme den hemmelige nøgle i .*Sæt SMAJOBS_SECRET_KEY"):
        Config.load(db=str(blocker / "smajobs.db"))


def test_a_link_queued_by_one_process_is_accepted_by_the_web_app_of_another(tmp_path, monkeypatch):
    from web.signup import make_update_token, read_update_token
    monkeypatch.delenv("SMAJOBS_SECRET_KEY", raising=False)
    database = str(tmp_path / "smajobs.db")
    token = make_update_token(Config.load(db=database).secret_key, "emp-7", "nonce")
    assert read_update_token(Config.load(db=database).secret_key, token) == ("emp-7", "nonce")


@pytest.mark.parametrize("variable", ["SMAJOBS_PROXY_HOPS", "SMAJOBS_SMTP_PORT", "SMAJOBS_SESSION_HOURS"])
def test_a_negative_count_is_refused_where_it_is_set(monkeypatch, variable):
    monkeypatch.setenv(variable, "-1")
    with pytest.raises(ConfigError, match=f"^{variable} skal være 0 eller mere, ikke -1.$"):
        Config.load()


def test_an_unusable_rate_limit_store_names_the_variable(config):
    with pytest.raises(ConfigError, match="^SMAJOBS_RATE_LIMIT_STORAGE kan ikke bruges \\('nonsense://x'\\)"):
        create_app(config.with_(rate_limit_storage="nonsense://x"))
