import datetime as dt

import pandas as pd

from analysis.figures import events_timeline


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


def test_a_lane_with_no_event_in_the_default_view_is_listed_last_and_says_where_its_events_are():
    rows = [{"uid": i, "title": "t", "sentence": "s", "start": dt.date(1987, 3, 1) + dt.timedelta(days=i),
             "end": None, "granularity": "day", "lane": "US" if i % 2 else "Japan"} for i in range(40)]
    rows.append({"uid": 99, "title": "t", "sentence": "founded in 1805", "start": dt.date(1805, 1, 1),
                 "end": dt.date(1805, 12, 31), "granularity": "year", "lane": "South Korea"})
    rows.append({"uid": 98, "title": "t", "sentence": "by 2050", "start": dt.date(2050, 1, 1),
                 "end": dt.date(2050, 12, 31), "granularity": "year", "lane": "Brazil"})
    yaxis = events_timeline(pd.DataFrame(rows)).to_dict()["layout"]["yaxis"]
    # top to bottom: the lanes seen in the view (by first event), then those outside it
    assert list(reversed(yaxis["categoryarray"])) == ["Japan", "US", "South Korea", "Brazil"]
    assert dict(zip(yaxis["tickvals"], yaxis["ticktext"])) == {
        "Japan": "Japan", "US": "US", "South Korea": "South Korea (earlier)", "Brazil": "Brazil (later)"}


def test_lanes_keep_their_order_and_labels_when_every_lane_is_in_view():
    rows = [{"uid": i, "title": "t", "sentence": "s", "start": dt.date(1987, 3, 1) + dt.timedelta(days=i),
             "end": None, "granularity": "day", "lane": "US" if i % 2 else "Japan"} for i in range(40)]
    yaxis = events_timeline(pd.DataFrame(rows)).to_dict()["layout"]["yaxis"]
    assert list(reversed(yaxis["categoryarray"])) == ["Japan", "US"] and "ticktext" not in yaxis
