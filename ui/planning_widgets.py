"""Streamlit sections of the planning views: the supply pipeline and the budget plan.

Data come through the cached functions here (keyed by the workspace snapshot, the
rulebook text and the dates), so a rerun with the same inputs computes nothing.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from layers.planning.budget import BudgetPlan, budget_plan
from layers.planning.pipeline import Pipeline, supply_pipeline
from layers.planning.ranking import rank_projects
from layers.planning.works import PlanWorks, build_works
from layers.readiness import inputs_from_workspace
from ui import data as uidata
from ui.i18n import t
from ui.text import md_escape
from ui.widgets import guard

__all__ = ["pipeline_section", "plan_section"]


@st.cache_resource(max_entries=4, show_spinner=False)
def _pipeline(snap: uidata.Snapshot, text: str, start: date, quarters: int) -> Pipeline:
    ws = uidata.load(snap)
    rules = uidata.rulebook(text)
    projects = ws.read("projects") if ws.has("projects") else None
    return supply_pipeline(inputs_from_workspace(ws, rulebook=rules), rules, start, quarters,
                           projects=projects)


@st.cache_resource(max_entries=4, show_spinner=False)
def _works(snap: uidata.Snapshot, text: str, as_of: date) -> PlanWorks:
    ws = uidata.load(snap)
    rules = uidata.rulebook(text)
    projects = ws.read("projects") if ws.has("projects") else None
    return build_works(inputs_from_workspace(ws, rulebook=rules), rules, projects, as_of,
                       baseline=uidata.readiness(snap, text, as_of))


@st.cache_resource(max_entries=8, show_spinner=False)
def _plan(snap: uidata.Snapshot, text: str, as_of: date, budget: float) -> BudgetPlan:
    return budget_plan(_works(snap, text, as_of), budget)


def _labelled(df: pd.DataFrame, cols: list[str], lang: str) -> pd.DataFrame:
    return df[cols].rename(columns={c: t(f"plancol.{c}", lang) for c in cols})


def pipeline_section(snap: uidata.Snapshot, text: str, start: date, lang: str, *,
                     quarters: int = 8, key: str = "pipeline") -> None:
    """Ready and ready-with-commitments hectares per quarter end and zone (a chart), the
    parcels that drop out as an assessment expires, and the table as CSV."""
    st.subheader(t("pipe.title", lang))
    with guard(lang):
        with st.spinner("…"):
            pipe = _pipeline(snap, text, start, quarters)
        st.caption(t("pipe.caption", lang, start=start.isoformat(), n=quarters))
        tab = pipe.table.assign(zone=lambda d: d["name"].where(d["name"] != "", d["zone_id"]))
        long = pd.concat([
            tab.assign(what=f"{z} · {t('pipe.ready_ha', lang)}", ha=tab["ready_ha"])
            [["quarter_end", "what", "ha", "zone"]].query("zone == @z")
            for z in tab["zone"].unique()] + [
            tab.assign(what=f"{z} · {t('pipe.rwc_ha', lang)}",
                       ha=tab["ready_with_commitments_ha"])
            [["quarter_end", "what", "ha", "zone"]].query("zone == @z")
            for z in tab["zone"].unique()])
        chart = long.pivot_table(index="quarter_end", columns="what", values="ha",
                                 aggfunc="sum").fillna(0.0)
        st.bar_chart(chart, x_label=t("pipe.quarter", lang), y_label="ha", stack=True)
        st.markdown(f"**{t('pipe.dropouts', lang)}**")
        if pipe.dropouts.empty:
            st.caption(t("pipe.no_dropouts", lang))
        else:
            d = pipe.dropouts.rename(columns={
                "quarter_end": t("pipe.quarter", lang), "parcel_id": t("plancol.parcel_id", lang),
                "zone_id": t("plancol.zone_id", lang), "area_ha": t("plancol.area_ha", lang),
                "expired_rules": t("pipe.expired", lang)})
            st.dataframe(d, hide_index=True, width="stretch", key=f"{key}_drops")
        st.download_button(t("pipe.download", lang),
                           data=uidata.export_bytes(pipe.table, "csv", layer="pipeline"),
                           file_name="pipeline.csv", mime="text/csv", key=f"{key}_csv",
                           on_click="ignore")


def plan_section(snap: uidata.Snapshot, text: str, as_of: date, lang: str, *,
                 default_budget: float = 5000.0, key: str = "plan") -> None:
    """Budget (万元) → the chosen works, the parcels they make ready, total cost and
    hectares, the projects ranked, and the plan as CSV."""
    st.subheader(t("plan.title", lang))
    budget = st.number_input(t("plan.budget", lang), min_value=0.0, value=default_budget,
                             step=500.0, key=f"{key}_budget")
    with guard(lang):
        with st.spinner("…"):
            plan = _plan(snap, text, as_of, float(budget))
            pw = _works(snap, text, as_of)
        if pw.parcels.empty:
            st.info(t("plan.nothing", lang))
        st.markdown(t("plan.summary", lang, n=plan.parcels, ha=plan.ha, cost=plan.cost_wan,
                      budget=plan.budget_wan))
        if plan.optimal:
            st.caption(t("plan.optimal", lang))
        else:
            st.warning(t("plan.not_optimal", lang, message=md_escape(plan.message)))
        if plan.unpriced:
            st.caption(t("plan.unpriced", lang, ids=md_escape(", ".join(plan.unpriced))))
        works = plan.works.assign(
            kind=[t(f"plan.kind_{k}", lang) for k in plan.works["kind"]],
            name=plan.works["name" if lang == "zh" else "name_en"])
        st.markdown(f"**{t('plan.works', lang)}**")
        st.dataframe(_labelled(works, ["work_id", "kind", "name", "cost_wan", "parcels", "ha"],
                               lang), hide_index=True, width="stretch", key=f"{key}_works")
        st.markdown(f"**{t('plan.ready', lang)}**")
        st.dataframe(_labelled(plan.ready, ["parcel_id", "zone_id", "area_ha", "closed_by"],
                               lang), hide_index=True, width="stretch", key=f"{key}_ready")
        st.download_button(t("plan.download", lang),
                           data=uidata.export_bytes(plan.works, "csv", layer="plan"),
                           file_name="plan.csv", mime="text/csv", key=f"{key}_csv",
                           on_click="ignore")
        with st.expander(t("plan.rank", lang)):
            rank = rank_projects(pw)
            st.dataframe(_labelled(rank, ["rank", "project_id", "name", "cost_wan", "parcels",
                                          "ha", "cost_per_ha", "gaps_closed"], lang),
                         hide_index=True, width="stretch", key=f"{key}_rank")
