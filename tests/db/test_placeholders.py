"""Driver placeholders (``%s``, ``%(name)s``, ``?``, ``:name``, ``@name``) become ``$n``; strings, comments,
jsonb's ``?``, casts, array slices and the ``@`` operators stay."""

from __future__ import annotations

import pytest

from opskit.db.pgsql import placeholders
from opskit.db.pgsql.placeholders import number_placeholders
from opskit.db.workload import parseable

CASES = {
    # positives: what drivers and ORMs log
    "select id from t where a = %s limit 21": "select id from t where a = $1 limit 21",
    "select id from t where a=%s and b=%s": "select id from t where a=$1 and b=$2",
    "select id from t where a = %(a_1)s and b <= %(b_1)s limit %(param_1)s": (
        "select id from t where a = $1 and b <= $2 limit $3"
    ),
    "update t set x=%(x)s where t.id = %(id_1)s or t.parent = %(id_1)s": (
        "update t set x=$1 where t.id = $2 or t.parent = $2"
    ),
    "select c.id from c c where c.k=? and c.n in (?,?) fetch first ? rows only": (
        "select c.id from c c where c.k=$1 and c.n in ($2,$3) fetch first $4 rows only"
    ),
    "select id from t where d between ? and ? offset ? rows": (
        "select id from t where d between $1 and $2 offset $3 rows"
    ),
    "select id from t where a = $1 and b = ?": "select id from t where a = $1 and b = $2",
    "select id from t where props ? %(key)s": "select id from t where props ? $1",
    "select id from t where a = :accountId and b >= :since::timestamptz and c in (:ids) and d = :accountId": (
        "select id from t where a = $1 and b >= $2::timestamptz and c in ($3) and d = $1"
    ),
    "SELECT u.id FROM u WHERE u.e = @__email_0 AND u.k=@p1 LIMIT @__p_1 OFFSET @__p_0": (
        "SELECT u.id FROM u WHERE u.e = $1 AND u.k=$2 LIMIT $3 OFFSET $4"
    ),
    "select id from o where id = any (@__ids_0) and s = :from": "select id from o where id = any ($1) and s = $2",
    # negatives: left exactly as written
    "select id from t where props ? 'plan' and tags ?| array['a']": (
        "select id from t where props ? 'plan' and tags ?| array['a']"
    ),
    "select id from t where name like '%smith%' and code = 'a?b'": (
        "select id from t where name like '%smith%' and code = 'a?b'"
    ),
    "select id from t /* route='a%%2F', q=? */ where x = 5 % 2 -- why %s?": (
        "select id from t /* route='a%%2F', q=? */ where x = 5 % 2 -- why %s?"
    ),
    "select id from t where a = $1": "select id from t where a = $1",
    "select a[1:n], a[:n], s::text, @ -5, x @> y, p @@ q from t where e = 'x@p0' and f = ':name'": (
        "select a[1:n], a[:n], s::text, @ -5, x @> y, p @@ q from t where e = 'x@p0' and f = ':name'"
    ),
    "select 'unterminated %s": "select 'unterminated %s",
}


@pytest.mark.parametrize("sql", sorted(CASES))
def test_placeholders_are_numbered_and_the_rest_left_alone(sql: str) -> None:
    assert number_placeholders(sql) == CASES[sql]


def test_the_workload_reads_them_as_parameters() -> None:
    assert parseable("select 1 from t where at > now() - interval %s") == (
        "select 1 from t where at > now() - $1::interval"
    )


def test_work_is_linear_in_the_number_of_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real = placeholders._placeholder

    def counted(*args: object) -> object:
        nonlocal calls
        calls += 1
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(placeholders, "_placeholder", counted)
    n = 20_000
    sql = "select id from t where id in (" + ", ".join(["%s"] * n) + ")"
    out = number_placeholders(sql)
    assert out.endswith(f"${n})") and "%s" not in out
    assert calls <= 3 * n + 10  # one look per token at most


def test_a_statement_past_the_length_bound_is_left_for_the_guard_to_refuse() -> None:
    from opskit.db.bounds import MAX_LENGTH

    sql = "select id from t where a = %s or b = '" + "x" * MAX_LENGTH + "'"
    assert number_placeholders(sql) is sql
