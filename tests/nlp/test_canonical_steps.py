"""entities.canonicalise in named steps (issue 17 item 4), each with exact values, and slugs of non-Latin names."""

from __future__ import annotations

import pandas as pd

from analysis.entities import canonicalise, slug


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
