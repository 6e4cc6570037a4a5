import datetime as dt

import pandas as pd

from analysis.charts import events_timeline


def test_outlying_event_does_not_squash_the_default_view():
    rows = [{"uid": i, "title": "t", "sentence": "s", "start": dt.date(1987, 3, 1) + dt.timedelta(days=i),
             "end": None, "granularity": "day", "lane": "US"} for i in range(40)]
    rows.append({"uid": 99, "title": "t", "sentence": "founded in 1805", "start": dt.date(1805, 1, 1),
                 "end": dt.date(1805, 12, 31), "granularity": "year", "lane": "US"})
    fig = events_timeline(pd.DataFrame(rows)).to_dict()
    lo, hi = (pd.Timestamp(x) for x in fig["layout"]["xaxis"]["range"])
    assert pd.Timestamp("1986-12-01") < lo < pd.Timestamp("1987-03-02")
    assert pd.Timestamp("1987-04-01") < hi < pd.Timestamp("1987-06-01")
    xs = [x for t in fig["data"] if t.get("x") is not None for x in t["x"] if x is not None]
    assert any(str(x).startswith("1805") for x in xs)  # still drawn, reachable by autorange
