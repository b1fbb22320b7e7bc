"""Data strings shown literally in Markdown; server paths cut to their names."""

from __future__ import annotations

import re

import pytest

from ui.text import md_escape, public_text

HOSTILE = ["**粗**", "[点我](http://evil.example)", "<img src=x onerror=alert(1)>", "$x^2$",
           "`code`", "# 标题", "1. 第一", "- 列表", "~~删除~~", ":red[红]", "&lt;b&gt;", "a|b",
           "GX-0106-1", "煤矿_一号_"]


@pytest.mark.parametrize("text", HOSTILE)
def test_every_markdown_character_is_escaped_and_nothing_else_changes(text: str) -> None:
    out = md_escape(text)
    assert re.sub(r"\\(.)", r"\1", out) == text  # removing the escapes gives the text back
    # no Markdown-active character is left unescaped
    bare = re.sub(r"\\.", "", out)
    assert not re.search(r"[*_`\[\]<>$#~|&:]", bare), out
    assert not re.match(r"\s*(?:[-=]|\d+[.)])", bare), out


def test_server_paths_are_cut_to_their_names_and_other_text_stays() -> None:
    assert public_text("No workspace at /srv/devzone/长治.") == "No workspace at 长治."
    assert public_text("文件 /tmp/devzone-upload-x/地块.zip 未能导入") == "文件 地块.zip 未能导入"
    for same in ("ratio 3/4", "see http://host/a/b", "layers.gpkg:parcels", "/"):
        assert public_text(same) == same
