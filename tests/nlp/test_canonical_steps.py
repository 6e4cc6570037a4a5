"""canonical.canonicalise in named steps (issue 17 item 4), each with exact values, and slugs of non-Latin names."""

from __future__ import annotations

import pandas as pd

from analysis.canonical import (
    apply_overrides,
    assign_ids,
    canonicalise,
    entity_table,
    expand_surnames,
    join_acronyms,
    join_countries,
    repair_labels,
    strip_company_suffixes,
    unglue_tails,
    unify_labels,
    working_frame,
)
from analysis.entities import slug


def mentions(*rows) -> pd.DataFrame:
    """Mention rows ``(uid, sent, label, name)``; start is the row's position (earliest first)."""
    return pd.DataFrame([{"uid": u, "sent": s, "start": i * 10, "end": i * 10 + 5, "text": n, "label": lab,
                          "name": n} for i, (u, s, lab, n) in enumerate(rows)])


# ---- slug ------------------------------------------------------------------------------------------------------

def test_slugs_of_latin_names_are_unchanged():
    assert [slug(n) for n in ("Park Jin", "Ségolène Royal", "Kim Jong-un", "X", "OPEC", "3M")] == \
        ["park-jin", "segolene-royal", "kim-jong-un", "x", "opec", "3m"]


def test_non_latin_names_get_distinct_stable_ascii_ids():
    names = ["이재명", "이재용", "Владимир Путин", "Путин", "محمد بن سلمان", "习近平"]
    slugs = [slug(n) for n in names]
    assert slugs[0] == "x-85737b5099" and slugs[2] == "x-3413714f13"  # stable across runs and machines
    assert len(set(slugs)) == len(names) and all(s.startswith("x-") and s.isascii() for s in slugs)
    assert slug("  이재명 ") == slug("이재명")  # spacing does not make another entity
    m, ents = canonicalise(mentions((1, 1, "PERSON", "이재명"), (1, 2, "PERSON", "이재용"), (2, 1, "PERSON", "이재명"),
                                    (2, 2, "PERSON", "Путин"), (3, 1, "PERSON", "محمد بن سلمان")))
    assert m["entity_id"].tolist() == ["PERSON:x-85737b5099", "PERSON:x-942a72cfba", "PERSON:x-85737b5099",
                                       f"PERSON:{slug('Путин')}", f"PERSON:{slug('محمد بن سلمان')}"]
    assert dict(zip(ents.entity_id, ents.name, strict=True))["PERSON:x-85737b5099"] == "이재명"


# ---- the steps ---------------------------------------------------------------------------------------------------

def cols(m: pd.DataFrame, *names: str) -> list[tuple]:
    return list(m[list(names)].itertuples(index=False, name=None))


def test_working_frame_starts_every_mention_undecided():
    w = working_frame(mentions((1, 0, "PERSON", "Park Jin")))
    assert cols(w, "_tag", "entity_label", "canonical", "entity_id", "_fixed") == \
        [("PERSON", "PERSON", "Park Jin", None, False)]


def test_repair_labels():
    w = repair_labels(working_frame(mentions(
        (1, 1, "PERSON", "Yoon Suk Yeol"), (1, 2, "GPE", "Yoon"),   # surname tagged GPE next to the full name
        (1, 3, "PERSON", "Ulsan"),                                  # a known city tagged PERSON
        (1, 4, "PERSON", "Yonhap"),                                 # the press is ORG
        (2, 1, "GPE", "Yoon"))))                                    # no full name in article 2: stays GPE
    assert w["_tag"].tolist() == ["PERSON", "PERSON", "GPE", "ORG", "GPE"]
    assert w["entity_label"].tolist() == w["_tag"].tolist() and w["label"].tolist()[1] == "GPE"  # input label kept


def test_apply_overrides():
    ov = pd.DataFrame([{"alias": "the fed", "canonical": "Federal Reserve", "label": "ORG"},
                       {"alias": "Kim", "canonical": "Kim Jong Un", "label": ""}])
    w = apply_overrides(working_frame(mentions((1, 1, "ORG", "The Fed"), (1, 2, "GPE", "the fed"),
                                               (1, 3, "PERSON", "KIM"), (1, 4, "PERSON", "Lee"))), ov)
    # an alias with a label wins under that label and, under another label, names the label it gives
    assert cols(w, "canonical", "entity_label", "_fixed") == [
        ("Federal Reserve", "ORG", True), ("Federal Reserve", "ORG", True), ("Kim Jong Un", "PERSON", True),
        ("Lee", "PERSON", False)]
    assert apply_overrides(w, None) is w


def test_join_countries_and_korea_by_dateline_or_majority():
    w = join_countries(repair_labels(working_frame(mentions(
        (1, 0, "GPE", "SEOUL"), (1, 1, "GPE", "Korea"), (1, 2, "GPE", "North Korea"),   # Seoul dateline: KR
        (2, 1, "ORG", "DPRK"), (2, 2, "GPE", "Korea"),                                  # names the North more
        (3, 1, "NORP", "Chinese"), (3, 2, "ORG", "Chinese"), (3, 3, "GPE", "Korea")))))  # neither: KR
    assert w["entity_id"].tolist() == [None, "GPE:KR", "GPE:KP", "GPE:KP", "GPE:KP", "GPE:CN", None, "GPE:KR"]
    assert w["canonical"].tolist()[1:6] == ["South Korea", "North Korea", "North Korea", "North Korea", "China"]
    assert w["_fixed"].tolist() == [False, True, True, True, True, True, False, True]


def test_strip_company_suffixes_only_on_open_org_mentions():
    w = working_frame(mentions((1, 1, "ORG", "Coupang Inc."), (1, 2, "ORG", "Hyundai Motor Co"),
                               (1, 3, "PERSON", "Smith Co"), (1, 4, "ORG", "France SA")))
    assert strip_company_suffixes(w)["canonical"].tolist() == ["Coupang", "Hyundai Motor", "Smith Co", "France SA"]


def test_unify_labels_majority_except_a_surname_its_article_explains():
    w = unify_labels(working_frame(mentions(
        (1, 1, "ORG", "Samsung"), (2, 1, "ORG", "Samsung"), (3, 1, "PERSON", "Samsung"),  # majority ORG
        (4, 1, "PERSON", "Lee Jae-yong"), (4, 2, "PERSON", "Lee"), (5, 1, "ORG", "Lee"), (6, 1, "ORG", "Lee"))))
    assert w["entity_label"].tolist() == ["ORG", "ORG", "ORG", "PERSON", "PERSON", "ORG", "ORG"]


def test_unglue_tails():
    w = unglue_tails(working_frame(mentions((1, 1, "PERSON", "Kim Il Sung"), (1, 2, "PERSON", "Kim Il Sungand"),
                                            (1, 3, "PERSON", "Ban Ki-moonwas"))))
    assert w["canonical"].tolist() == ["Kim Il Sung", "Kim Il Sung", "Ban Ki-moonwas"]  # only known names are cut


def test_expand_surnames_same_article_first_then_corpus():
    w = expand_surnames(working_frame(mentions(
        (1, 1, "PERSON", "Park Jin"), (1, 2, "PERSON", "Park Geun-hye"), (1, 3, "PERSON", "Park Jin"),
        (1, 4, "PERSON", "Park"),                                        # article 1: Park Jin has more mentions
        (2, 0, "PERSON", "Park Geun-hye"), (2, 2, "PERSON", "Park Jin"), (2, 3, "PERSON", "Park"),  # title wins
        (3, 1, "PERSON", "Park"), (3, 2, "PERSON", "Wang"))))            # no full name here: corpus' most frequent
    assert w["canonical"].tolist()[3] == "Park Jin" and w["canonical"].tolist()[6] == "Park Geun-hye"
    assert w["canonical"].tolist()[7:] == ["Park Jin", "Wang"]


def test_join_acronyms_from_definitions_and_initials():
    w = join_acronyms(working_frame(mentions(
        (1, 1, "ORG", "Organization of Petroleum Exporting Countries"), (1, 2, "ORG", "OPEC"),
        (2, 1, "ORG", "OPEC"), (3, 1, "ORG", "IAEA"), (3, 2, "ORG", "organization of petroleum exporting countries"))),
        acronyms={3: {"IAEA": "International Atomic Energy Agency"}})
    assert w["canonical"].tolist() == ["Organization of Petroleum Exporting Countries"] * 3 + [
        "International Atomic Energy Agency", "Organization of Petroleum Exporting Countries"]


def test_assign_ids_and_entity_table():
    w = assign_ids(join_countries(working_frame(mentions(
        (1, 1, "PERSON", "Park Jin"), (1, 2, "GPE", "U.S."), (2, 1, "PERSON", "Park Jin"), (2, 2, "GPE", "America")))))
    assert w["entity_id"].tolist() == ["PERSON:park-jin", "GPE:US", "PERSON:park-jin", "GPE:US"]
    t = entity_table(w)
    assert t.to_dict("records") == [
        {"entity_id": "GPE:US", "name": "United States", "label": "GPE", "mentions": 2, "articles": 2,
         "aliases": ["America", "U.S."]},
        {"entity_id": "PERSON:park-jin", "name": "Park Jin", "label": "PERSON", "mentions": 2, "articles": 2,
         "aliases": ["Park Jin"]}]
