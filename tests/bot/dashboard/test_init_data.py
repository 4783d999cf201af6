"""The Mini App's init data: Telegram's signature and freshness, checked as its specification says."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import quote, urlencode

import pytest

from bot.dashboard.init_data import InitDataError, InitDataProblem, sign_init_data, validate_init_data
from tests.builders import TOKEN

NOW = 1_764_212_400  # 2025-11-27 12:00 JST
USER = {"id": 5001, "first_name": "花子", "language_code": "ja"}


def independently_signed(fields: dict[str, str], token: str) -> str:
    """Telegram's recipe written out again, so the module is not checked against itself."""
    secret = hmac.new(key=b"WebAppData", msg=token.encode(), digestmod=hashlib.sha256).digest()
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


def raw_of(fields: dict[str, str]) -> str:
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in fields.items())


def fields_of(auth_date: int = NOW, user: object = USER) -> dict[str, str]:
    return {"query_id": "AAH0", "user": json.dumps(user, ensure_ascii=False), "auth_date": str(auth_date)}


def problem(raw: str, now: float = NOW) -> InitDataProblem:
    with pytest.raises(InitDataError) as refused:
        validate_init_data(raw, TOKEN, 3600, now=now)
    return refused.value.problem


def test_a_known_vector_is_accepted() -> None:
    fields = fields_of()
    raw = raw_of({**fields, "hash": independently_signed(fields, TOKEN)})
    checked = validate_init_data(raw, TOKEN, 3600, now=NOW + 10)
    assert (checked.user_id, checked.user["first_name"], checked.auth_date) == (5001, "花子", NOW)
    assert checked.fields["query_id"] == "AAH0" and "hash" not in checked.fields


def test_what_sign_init_data_makes_telegram_would_have_made() -> None:
    raw = sign_init_data(TOKEN, USER, NOW, query_id="AAH0")
    checked = validate_init_data(raw, TOKEN, 3600, now=NOW)
    fields = {**checked.fields}
    assert independently_signed(fields, TOKEN) in raw
    assert checked.user == USER


def test_another_bots_token_does_not_verify() -> None:
    assert problem(sign_init_data("999:OTHER", USER, NOW)) is InitDataProblem.UNAUTHORIZED


@pytest.mark.parametrize(
    "change",
    [
        lambda f: {**f, "user": f["user"].replace("5001", "5002")},  # a tampered field
        lambda f: {**f, "hash": f["hash"][:-1] + ("0" if f["hash"][-1] != "0" else "1")},  # a tampered hash
        lambda f: {k: v for k, v in f.items() if k != "hash"},  # no hash
        lambda f: {**f, "hash": ""},
        lambda f: {**f, "extra": "1"},  # a field Telegram did not sign
    ],
)
def test_any_change_is_refused(change: object) -> None:
    fields = fields_of()
    signed = {**fields, "hash": independently_signed(fields, TOKEN)}
    assert problem(raw_of(change(signed))) is InitDataProblem.UNAUTHORIZED  # type: ignore[operator]


def test_a_repeated_key_is_refused_even_when_one_copy_is_signed() -> None:
    fields = fields_of()
    signed = raw_of({**fields, "hash": independently_signed(fields, TOKEN)})
    assert problem(signed + "&user=" + quote(json.dumps({"id": 1}))) is InitDataProblem.UNAUTHORIZED


@pytest.mark.parametrize("raw", ["", "garbage", "a=1&&b", "%%%", "hash=abc"])
def test_malformed_init_data_is_refused(raw: str) -> None:
    assert problem(raw) is InitDataProblem.UNAUTHORIZED


@pytest.mark.parametrize("user", ["not json", "[1, 2]", '{"first_name": "x"}', '{"id": "5001"}', '{"id": true}'])
def test_a_user_that_is_not_a_telegram_user_is_refused(user: str) -> None:
    fields = {"user": user, "auth_date": str(NOW)}
    raw = urlencode({**fields, "hash": independently_signed(fields, TOKEN)})
    assert problem(raw) is InitDataProblem.UNAUTHORIZED


def test_an_unreadable_auth_date_is_refused() -> None:
    fields = {"user": json.dumps(USER), "auth_date": "yesterday"}
    raw = urlencode({**fields, "hash": independently_signed(fields, TOKEN)})
    assert problem(raw) is InitDataProblem.UNAUTHORIZED


def test_freshness_limits() -> None:
    raw = sign_init_data(TOKEN, USER, NOW)
    assert validate_init_data(raw, TOKEN, 3600, now=NOW + 3600).user_id == 5001  # exactly max_age old
    assert problem(raw, now=NOW + 3601) is InitDataProblem.EXPIRED
    assert validate_init_data(raw, TOKEN, 3600, now=NOW - 60).user_id == 5001  # the clocks differ a little
    assert problem(raw, now=NOW - 61) is InitDataProblem.EXPIRED  # signed in the future
