"""Map page: every workspace layer; click a parcel for its rules, draw a sketch to check it."""

from __future__ import annotations

import shapely
import streamlit as st

from ui import data as uidata
from ui.i18n import t
from ui.state import get_state
from ui.widgets import guard, readiness_label, rule_details, rule_labels, workspace_map


def main() -> None:
    state = get_state()
    lang = state.lang or "zh"
    st.title(t("nav.map", lang))
    with guard(lang):
        snap = uidata.snapshot()
        ws = uidata.load(snap)
        text = result = None
        with guard(lang):
            text = uidata.rules_text(ws, state.rule_overrides)
            result = uidata.readiness(snap, text, state.as_of)
        data, notes = uidata.map_data(snap, text, state.as_of)
        for note in notes:
            st.warning(note.text(lang))
        labels = rule_labels(text, lang)
        rules = None
        if text is not None:
            with guard(lang):
                rules = uidata.rulebook(text)
        left, right = st.columns([1, 1])  # the rule table needs ~500 px in English
        with left:
            st.caption(t("map.click_hint", lang))
            workspace_map("main_map", data, lang, height=640)
        with right, guard(lang):
            pid = state.selected_parcel
            if pid is None:
                st.info(t("map.pick_parcel", lang))
            else:
                st.subheader(t("map.parcel_rules", lang, id=pid))
                if result is None:
                    st.info(t("msg.not_yet", lang, what=t("engine.readiness", lang)))
                else:
                    overall = result.overall
                    row = overall[overall["parcel_id"].astype(str) == pid]
                    if len(row):
                        st.markdown(f"**{t('readiness', lang)}:** "
                                    f"{readiness_label(str(row['readiness'].iloc[0]), lang)}")
                    long = result.long[result.long["parcel_id"].astype(str) == pid]
                    rule_details(long, lang, labels, rules=rules, key="parcel_rules_table",
                                 industry=data.parcel_value(pid, "industry"))
            if state.sketch:
                st.subheader(t("map.sketch_result", lang))
                with guard(lang):
                    geom = shapely.from_wkt(state.sketch)
                    sketch = uidata.check_sketch(snap, text, geom, state.as_of)
                    st.markdown(t("map.sketch_overall", lang,
                                  status=readiness_label(sketch.readiness, lang)))
                    rule_details(sketch.long, lang, labels, rules=rules,
                                 key="sketch_rules_table")


main()
