"""Text from data made safe to show: Markdown escaping and no server paths.

Streamlit reads ``st.markdown``, ``st.caption``, ``st.success`` … bodies and widget
labels as Markdown, so a parcel named ``**x**`` or ``[x](http://…)`` would be
formatted or linked. Every string that comes from data (ids, names, file names,
error messages quoting them) goes through :func:`md_escape` before it is shown.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["md_escape", "public_text"]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|$~:&])")
# "-", "=" and "1." only start a list, rule or heading at the beginning of a line
_LEADING_MARK = re.compile(r"^(\s*)([-=])")
_LEADING_NUMBER = re.compile(r"^(\s*\d+)([.)])")
# an absolute POSIX path of two or more parts; stops at spaces, quotes and CJK punctuation
_ABS_PATH = re.compile(r"(?<![\w:/.])/(?:[^\s/'\"`，。；：、（）]+/)+([^\s/'\"`，。；：、（）]*)")


def md_escape(text: Any) -> str:
    """``text`` shown literally in Streamlit Markdown (no emphasis, links, HTML, LaTeX).

    >>> print(md_escape("**粗体** [link](http://x)"))
    \\*\\*粗体\\*\\* \\[link\\]\\(http\\://x\\)
    >>> print(md_escape("1. GX-0106-1"), md_escape("- a"))
    1\\. GX-0106-1 \\- a
    """
    out = _MD_SPECIAL.sub(r"\\\1", str(text))
    out = _LEADING_MARK.sub(r"\1\\\2", out)
    return _LEADING_NUMBER.sub(r"\1\\\2", out)


def public_text(text: Any) -> str:
    """``text`` with every absolute server path cut to its last part (the file or folder name).

    Visitors of an intranet server need the name to recognise a file, never where it
    lives on the server.

    >>> public_text("No workspace at /srv/devzone/data/长治.")
    'No workspace at 长治.'
    """
    return _ABS_PATH.sub(lambda m: m.group(1) or "/", str(text))
