"""PG_RANDOM_PAGE_COST: the app's PostgreSQL connections plan with an SSD's price of a random read."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from resetlab.config import ConfigError, load_config
from resetlab.database import postgresql_engine_options
from resetlab.extensions import db
from resetlab.factory import create_app

from ..helpers import make_config

URL = "postgresql+psycopg://u:p@db/resetlab"


def test_each_connection_is_told_the_configured_cost():
    options = postgresql_engine_options({"pool_pre_ping": True}, URL, 1.1)
    assert options == {"pool_pre_ping": True, "connect_args": {"options": "-c random_page_cost=1.1"}}


def test_options_the_operator_gave_are_kept():
    given = {"connect_args": {"options": "-c statement_timeout=5000", "connect_timeout": 3}}
    options = postgresql_engine_options(given, URL, 2)
    assert options["connect_args"] == {"options": "-c statement_timeout=5000 -c random_page_cost=2",
                                       "connect_timeout": 3}
    assert given["connect_args"]["options"] == "-c statement_timeout=5000"  # the caller's dict unchanged


@pytest.mark.parametrize("cost, url", [("", URL), (None, URL), (1.1, URL + "?options=-c%20work_mem%3D64MB")])
def test_empty_or_a_url_that_sets_options_leaves_the_server_to_decide(cost, url):
    assert postgresql_engine_options({"pool_pre_ping": True}, url, cost) == {"pool_pre_ping": True}


@pytest.mark.parametrize("value", ["fast", "0", "-1", "true", "[1]"])
def test_a_cost_that_is_not_a_positive_number_stops_the_start(tmp_path, monkeypatch, value):
    monkeypatch.setenv("RESETLAB_PG_RANDOM_PAGE_COST", value)
    with pytest.raises(ConfigError, match="RESETLAB_PG_RANDOM_PAGE_COST must be a positive number"):
        load_config(tmp_path)


@pytest.mark.parametrize("value, expected", [("4", 4), ("1.5", 1.5), ("", "")])
def test_a_number_or_empty_is_accepted(tmp_path, monkeypatch, value, expected):
    monkeypatch.setenv("RESETLAB_PG_RANDOM_PAGE_COST", value)
    assert load_config(tmp_path)["PG_RANDOM_PAGE_COST"] == expected


@pytest.mark.postgres
def test_the_apps_postgresql_connections_plan_with_the_setting(tmp_path):
    for cost, shown in ((1.1, "1.1"), (3, "3")):
        app = create_app(make_config(tmp_path, PG_RANDOM_PAGE_COST=cost))
        with app.app_context():
            assert db.session.scalar(text("SHOW random_page_cost")) == shown
            db.session.remove()
            db.engine.dispose()
