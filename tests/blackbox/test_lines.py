"""Listing lines: cursor pages, status filter, number search, totals."""
from urllib.parse import quote, urlencode

import pytest

from conftest import BULK, assert_error, unique_e164


def lines_path(cid, **q):
    return "%s/%d/lines%s" % (BULK, cid, "?" + urlencode(q) if q else "")


def add_many(api, cid, numbers, **extra):
    r = api.post("%s/%d/add_contacts" % (BULK, cid),
                 {"contacts": [dict(extra, to_number=n) for n in numbers]})
    assert r.status == 200, r
    assert r.json["rejected"] == []
    return [a["line_id"] for a in r.json["added"]]


@pytest.fixture(scope="module")
def filled(api):
    """A campaign with 25 lines: 15 pending, 10 skipped by a condition."""
    c = api.make_campaign(name="lines", call_conditions=[
        {"column": "keep", "operator": "equals", "value": "yes"}])
    api.action(c["id"], "pause")  # keeps the dialler off its lines
    numbers = ["+1777%07d" % (1000 + i) for i in range(25)]
    ids = []
    for i, n in enumerate(numbers):
        r = api.add_contact(c["id"], n, custom_variables={
            "keep": "yes" if i % 5 < 3 else "no", "i": i})
        assert r.status == 200, r
        ids.append(r.json["line_id"])
    return {"id": c["id"], "ids": ids, "numbers": numbers}


def walk(api, cid, pagesize, **q):
    pages, cursor = [], None
    for _ in range(1000):
        query = dict(q, pagesize=pagesize)
        if cursor is not None:
            query["cursor"] = cursor
        r = api.get(lines_path(cid, **query))
        assert r.status == 200, r
        pages.append(r.json["lines"])
        cursor = r.json["next_cursor"]
        if cursor is None:
            return pages
        assert isinstance(cursor, str) and cursor
    raise AssertionError("cursor never ended")


def test_cursor_paging_visits_every_line_once(api, filled):
    pages = walk(api, filled["id"], 7)
    assert all(len(p) <= 7 for p in pages)
    assert all(len(p) == 7 for p in pages[:-1])
    ids = [l["line_id"] for p in pages for l in p]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)
    assert ids == filled["ids"]


@pytest.mark.parametrize("size", [1, 5, 24, 25, 26, 150])
def test_any_page_size_gives_the_same_lines(api, filled, size):
    ids = [l["line_id"] for p in walk(api, filled["id"], size) for l in p]
    assert ids == filled["ids"]


def test_default_and_maximum_page_size(api):
    c = api.make_campaign()
    ids = add_many(api, c["id"], [unique_e164() for _ in range(160)])
    r = api.get(lines_path(c["id"]))
    assert r.status == 200, r
    assert len(r.json["lines"]) == 50
    assert r.json["next_cursor"]
    r = api.get(lines_path(c["id"], pagesize=150))
    assert len(r.json["lines"]) == 150
    r = api.get(lines_path(c["id"], pagesize=150,
                           cursor=r.json["next_cursor"]))
    assert [l["line_id"] for l in r.json["lines"]] == ids[150:]
    assert r.json["next_cursor"] is None


@pytest.mark.parametrize("size", ["0", "151", "-1", "abc", "10.5"])
def test_bad_page_size_is_400(api, filled, size):
    assert_error(api.get(lines_path(filled["id"], pagesize=size)), 400,
                 "invalid_query")


def test_status_filter(api, filled):
    pending = [l for p in walk(api, filled["id"], 4, call_status="pending")
               for l in p]
    skipped = [l for p in walk(api, filled["id"], 4, call_status="skipped")
               for l in p]
    assert len(pending) == 15 and len(skipped) == 10
    assert all(l["status"] == "pending" for l in pending)
    assert all(l["status"] == "skipped" for l in skipped)
    assert all(l["skip_reason"] for l in skipped)
    assert all(l["custom_variables"]["keep"] == "no" for l in skipped)
    assert sorted(l["line_id"] for l in pending + skipped) == filled["ids"]
    r = api.get(lines_path(filled["id"], call_status="completed"))
    assert r.status == 200 and r.json["lines"] == []
    assert r.json["next_cursor"] is None


@pytest.mark.parametrize("status", ["bogus", "PENDING", "paused",
                                    "in_progress"])
def test_bad_status_filter_is_400(api, filled, status):
    assert_error(api.get(lines_path(filled["id"], call_status=status)), 400,
                 "invalid_query")


def test_search_by_number_substring(api, filled):
    # Numbers are +1777 0001000 .. +1777 0001024.
    r = api.get(lines_path(filled["id"], search="000101"))
    assert r.status == 200, r
    got = [l["to_number"] for l in r.json["lines"]]
    assert got == ["+1777000101%d" % d for d in range(10)]
    r = api.get(lines_path(filled["id"], search="+17770001024"))
    assert [l["to_number"] for l in r.json["lines"]] == ["+17770001024"]
    r = api.get(lines_path(filled["id"], search="999999"))
    assert r.json["lines"] == []


def test_search_with_plus_needs_escaping(api, filled):
    r = api.get("%s/%d/lines?search=%s" % (BULK, filled["id"],
                                          quote("+1777000100")))
    assert r.status == 200, r
    assert len(r.json["lines"]) == 10


def test_search_with_an_unescaped_plus(api, filled):
    # A query string decodes '+' as a space; numbers hold no spaces, so
    # the daemon reads it back as '+'.
    r = api.get("%s/%d/lines?search=+1777000100" % (BULK, filled["id"]))
    assert r.status == 200, r
    assert [l["to_number"] for l in r.json["lines"]] == \
        ["+1777000100%d" % d for d in range(10)]


@pytest.mark.parametrize("search", ["abc", "555-1234", "1" * 17, "%"])
def test_bad_search_is_400(api, filled, search):
    assert_error(api.get(lines_path(filled["id"], search=search)), 400,
                 "invalid_query")


def test_search_combined_with_status_and_total(api, filled):
    r = api.get(lines_path(filled["id"], search="000100",
                           call_status="pending", include_total="true",
                           pagesize=2))
    assert r.status == 200, r
    # Indexes 0..9 match "000100"; of those, i % 5 < 3 are pending.
    assert r.json["total"] == 6
    assert len(r.json["lines"]) == 2
    all_ = [l for p in walk(api, filled["id"], 2, search="000100",
                            call_status="pending") for l in p]
    assert len(all_) == 6


def test_include_total(api, filled):
    r = api.get(lines_path(filled["id"], include_total="true", pagesize=3))
    assert r.status == 200, r
    assert r.json["total"] == 25
    assert len(r.json["lines"]) == 3
    r = api.get(lines_path(filled["id"], call_status="skipped",
                           include_total="true"))
    assert r.json["total"] == 10
    r = api.get(lines_path(filled["id"]))
    assert "total" not in r.json


@pytest.mark.parametrize("cursor", ["abc", "AAAAAAAAAAAA", "!!!!!!!!!!!!",
                                    "AQAAAAAAAAAAAQ", "0" * 12, "_" * 12])
def test_bad_cursor_is_400(api, filled, cursor):
    assert_error(api.get(lines_path(filled["id"], cursor=cursor)), 400,
                 "invalid_cursor")


def test_lines_of_unknown_campaign_is_404(api):
    assert_error(api.get(lines_path(987654321)), 404, "not_found")


def test_line_shape(api):
    c = api.make_campaign()
    api.action(c["id"], "pause")
    n = unique_e164()
    lid = api.add_contact(c["id"], n, custom_variables={"a": "b"},
                          metadata={"m": 1}).json["line_id"]
    line = api.get(lines_path(c["id"])).json["lines"][0]
    assert line["line_id"] == lid
    assert line["to_number"] == n
    assert line["status"] == "pending"
    assert line["attempts"] == 0
    assert line["skip_reason"] is None
    for t in ("due_at", "created_at", "updated_at"):
        assert line[t].endswith("Z"), t


def test_line_detail(api, filled):
    lid = filled["ids"][0]
    r = api.get("%s/%d/lines/%d" % (BULK, filled["id"], lid))
    assert r.status == 200, r
    line = r.json["line"]
    assert line["line_id"] == lid
    assert line["to_number"] == filled["numbers"][0]
    assert line["custom_variables"] == {"keep": "yes", "i": 0}
    assert line["attempt_list"] == []


def test_line_of_another_campaign_is_404(api, filled):
    c = api.make_campaign()
    lid = api.add_contact(c["id"]).json["line_id"]
    assert_error(api.get("%s/%d/lines/%d" % (BULK, filled["id"], lid)),
                 404, "not_found")
    assert_error(api.get("%s/%d/lines/%d" % (BULK, c["id"],
                                             filled["ids"][0])),
                 404, "not_found")
    assert_error(api.get("%s/%d/lines/987654321" % (BULK, c["id"])), 404,
                 "not_found")


def test_export_lists_every_line_as_csv(api, filled):
    import csv
    import io
    import json
    r = api.get("%s/%d/lines/export" % (BULK, filled["id"]))
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.raw.decode("utf-8"),
                                           newline="")))
    assert [int(x["line_id"]) for x in rows] == filled["ids"]
    assert [x["to_number"] for x in rows] == filled["numbers"]
    assert json.loads(rows[0]["custom_variables"]) == {"keep": "yes", "i": 0}
    assert {x["status"] for x in rows} == {"pending", "skipped"}


def test_export_quotes_awkward_values(api):
    import csv
    import io
    import json
    c = api.make_campaign()
    api.action(c["id"], "pause")
    tricky = {"note": 'a,b "c"\r\nd', "emoji": "\U0001F600"}
    api.add_contact(c["id"], custom_variables=tricky,
                    metadata={"k": "v,w"})
    r = api.get("%s/%d/lines/export" % (BULK, c["id"]))
    rows = list(csv.DictReader(io.StringIO(r.raw.decode("utf-8"),
                                           newline="")))
    assert len(rows) == 1
    assert json.loads(rows[0]["custom_variables"]) == tricky
    assert json.loads(rows[0]["metadata"]) == {"k": "v,w"}


def test_export_of_unknown_campaign_is_404(api):
    assert_error(api.get("%s/987654321/lines/export" % BULK), 404,
                 "not_found")
