"""The filter bar's long option lists (`views.lists._options`) escape every value and label
and mark the chosen one (decision 0051 wrote them without format_html)."""

from __future__ import annotations

from hongmian.hotline.views.lists import _options


def test_options_are_escaped_and_the_chosen_one_selected() -> None:
    html = _options([(1, "天河区"), ('2"><script>', "<b>&'甲'</b>"), (3, "越秀区")], "3")
    assert html == (
        '<option value="1">天河区</option>'
        '<option value="2&quot;&gt;&lt;script&gt;">&lt;b&gt;&amp;&#x27;甲&#x27;&lt;/b&gt;</option>'
        '<option value="3" selected>越秀区</option>'
    )
    assert "<script>" not in html
