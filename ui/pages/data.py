"""Data page: upload → validation → accept; download a layer; history; edit the rulebook.

Write controls appear only for a role that may use them (upload and history:
editor; rulebook save: admin); the write functions check the role again.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from layers.access import Role
from layers.catalog import CATALOG
from layers.validate import findings_in
from ui import data as uidata
from ui.auth import can
from ui.i18n import layer_name, param_label, t, value_label
from ui.state import get_state
from ui.text import md_escape, public_text
from ui.widgets import guard, rule_labels

UPLOAD_TYPES = ["geojson", "json", "zip", "gpkg", "kml", "csv"]
MIME = {"geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3",
        "csv": "text/csv"}


def _findings_table(findings: pd.DataFrame, lang: str) -> pd.DataFrame:
    findings = findings_in(findings, lang)
    cols = {"severity": "data.severity", "feature": "data.feature", "column": "data.column",
            "problem": "data.problem", "hint": "data.hint"}
    out = pd.DataFrame({t(key, lang): findings[c] for c, key in cols.items()
                        if c in findings.columns})
    sev = t("data.severity", lang)
    if sev in out:
        out[sev] = out[sev].map(lambda s: value_label("severity", s, lang))
    return out


def _upload(ws: object, lang: str) -> None:
    from layers.importing import import_layer, prepare_import

    state = get_state()
    st.subheader(t("data.upload", lang))
    kinds = list(CATALOG)
    c1, c2 = st.columns([1, 2])
    kind = c1.selectbox(t("data.kind", lang), kinds, key="upload_kind",
                        format_func=lambda k: f"{layer_name(k, lang)} ({k})")
    crs = c1.text_input(t("data.crs", lang), key="upload_crs",
                        help=t("data.crs_help", lang)).strip() or None
    allow_outside = c1.checkbox(t("data.allow_outside", lang), key="upload_allow_outside",
                                help=t("data.allow_outside_help", lang))
    file = c2.file_uploader(t("data.upload", lang), type=UPLOAD_TYPES, key="upload_file",
                            help=t("data.upload_help", lang))
    if file is None:
        if state.upload_result is not None:
            shutil.rmtree(state.upload_result[1].parent, ignore_errors=True)
        state.upload_result = None
        return
    raw = file.getvalue()
    token = (hashlib.sha256(raw).hexdigest(), kind, file.name, crs, allow_outside)
    if state.upload_result is None or state.upload_result[0] != token:
        if state.upload_result is not None:  # drop the previous upload's temporary copy
            shutil.rmtree(state.upload_result[1].parent, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix="devzone-upload-"))
        path = folder / Path(file.name).name
        path.write_bytes(raw)
        state.upload_result = (token, path, None)
        # parsed in a child process: a GDAL crash on a hostile file cannot take the app down
        report = prepare_import(ws, kind, path, isolated=True, assume_crs=crs,
                                allow_outside=allow_outside)
        state.upload_result = (token, path, report)
    _, path, report = state.upload_result
    if report is None:
        return
    st.markdown(f"**{t('data.report', lang)}** · {md_escape(file.name)} → "
                f"{layer_name(kind, lang)} · {t('data.features', lang)}: {report.n_features}")
    for note in report.notes if lang == "zh" else report.notes_en:
        st.caption(md_escape(public_text(note)))
    if report.findings.empty:
        st.success(t("data.clean", lang))
    else:
        st.dataframe(_findings_table(report.findings, lang), hide_index=True, width="stretch",
                     key="upload_findings")
    preview = report.data.head(20)
    if isinstance(preview, gpd.GeoDataFrame):
        preview = pd.DataFrame(preview.drop(columns=preview.geometry.name))
    st.markdown(f"**{t('data.preview', lang)}**")
    st.dataframe(preview, hide_index=True, width="stretch", key="upload_preview")
    replace = st.checkbox(t("data.replace", lang), key="upload_replace")
    if not report.ok:
        st.error(t("data.refused", lang))
    elif st.button(t("data.accept", lang), type="primary", key="upload_accept"):
        done = import_layer(ws, kind, path, actor=state.user, replace=replace,
                            isolated=True, assume_crs=crs, allow_outside=allow_outside)
        shutil.rmtree(path.parent, ignore_errors=True)
        state.upload_result = None
        st.success(t("data.accepted", lang, kind=layer_name(kind, lang), n=done.n_features))


def _check(ws: object, lang: str) -> None:
    """The data check of the whole workspace (``devzone validate``), on request."""
    from layers.validate import validate_workspace

    st.subheader(t("data.check", lang))
    c1, c2 = st.columns([2, 1])
    run = c1.button(t("data.check_run", lang), key="data_check",
                    help=t("data.check_help", lang))
    notes = c2.checkbox(t("data.check_notes", lang), key="data_check_notes")
    if not run:
        return
    with st.spinner(t("data.checking", lang)):
        table, unusable = validate_workspace(ws)
    for kind, exc in unusable:
        st.error(t("data.check_unreadable", lang, layer=f"{layer_name(kind, lang)} ({kind})",
                   message=md_escape(public_text(exc.text(lang)))))
    counts = table["severity"].value_counts()
    line = t("data.check_counts", lang, layers=len(ws.layers) + len(ws.tables),
             errors=counts.get("error", 0), warnings=counts.get("warning", 0),
             infos=counts.get("info", 0))
    shown = table if notes else table[table["severity"] != "info"]
    if counts.get("error", 0) or unusable:
        st.error(line)
    elif counts.get("warning", 0):
        st.warning(line)
    else:
        st.success(f"{line} {t('data.clean', lang)}")
    if len(shown):
        out = _findings_table(shown.drop(columns="layer"), lang)
        out.insert(0, t("data.layer", lang), [layer_name(k, lang) for k in shown["layer"]])
        st.dataframe(out, hide_index=True, width="stretch", key="data_check_findings")


def _download(ws: object, lang: str) -> None:
    st.subheader(t("data.download", lang))
    kinds = [*ws.layers, *ws.tables]
    c1, c2 = st.columns(2)
    kind = c1.selectbox(t("data.layer", lang), kinds, key="download_kind",
                        format_func=lambda k: f"{layer_name(k, lang)} ({k})")
    is_table = kind in ws.tables
    fmts = ["csv", "gpkg"] if is_table else ["geojson", "gpkg", "csv"]
    fmt = c2.radio(t("data.format", lang), fmts, horizontal=True, key="download_fmt",
                   format_func=lambda f: t(f"format.{f}", lang))
    frame = ws.read(kind)
    if frame is None:
        st.info(t("msg.no_layer", lang, layer=layer_name(kind, lang)))
        return
    st.download_button(f"{t('data.download', lang)}: {layer_name(kind, lang)}.{fmt}",
                       data=uidata.export_bytes(frame, fmt, layer=kind),
                       file_name=f"{kind}.{fmt}", mime=MIME[fmt], key="download_layer",
                       on_click="ignore")


HISTORY_COLUMNS = {"version": "history.version_no", "time": "history.time",
                   "kept_at": "history.kept_at", "user": "history.user",
                   "action": "history.action", "rows": "history.rows",
                   "rows_before": "history.rows_before", "rows_after": "history.rows_after",
                   "note": "history.note"}


def _history_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The columns a reader needs (no hashes), headed in ``lang``."""
    cols = [c for c in HISTORY_COLUMNS if c in table.columns]
    return table[cols].rename(columns={c: t(HISTORY_COLUMNS[c], lang) for c in cols})


def _history(ws: object, lang: str) -> None:
    """Versions and audit rows of a layer; an editor may restore an earlier version."""
    state = get_state()
    st.subheader(t("history.title", lang))
    try:
        from layers import history
    except ImportError:  # the audit trail is not part of this installation yet
        st.info(t("msg.not_yet", lang, what=t("history.title", lang)))
        return
    names = [*ws.layers, *ws.tables, "rules"]
    name = st.selectbox(t("data.layer", lang), names, key="history_kind",
                        format_func=lambda k: t("data.rulebook", lang) if k == "rules"
                        else f"{layer_name(k, lang)} ({k})")
    audit = history.audit_log(ws, name)
    st.markdown(f"**{t('history.audit', lang)}**")
    if audit.empty:
        st.caption(t("history.empty", lang))
    else:
        st.dataframe(_history_table(audit.iloc[::-1], lang), hide_index=True, width="stretch",
                     key="history_audit", height=min(35 * (len(audit) + 1) + 3, 280))
    kept = history.versions(ws, name)
    st.markdown(f"**{t('history.versions', lang)}**")
    if kept.empty:
        st.caption(t("history.empty", lang))
        return
    st.dataframe(_history_table(kept.iloc[::-1], lang), hide_index=True, width="stretch",
                 key="history_versions", height=min(35 * (len(kept) + 1) + 3, 280))
    if not can(state, history.restore_role(name)):  # the rulebook and inspections: admins
        return
    c1, c2 = st.columns([1, 2])
    version = c1.selectbox(t("history.version", lang), list(kept["version"])[::-1],
                           key="history_version")
    if c2.button(t("history.restore", lang), key="history_restore"):
        history.restore_version(ws, name, int(version), actor=state.user)
        label = t("data.rulebook", lang) if name == "rules" else layer_name(name, lang)
        st.success(t("history.restored", lang, kind=label, version=version))


def _rulebook(ws: object, lang: str) -> None:
    state = get_state()
    st.subheader(t("data.rulebook", lang))
    saved = uidata.saved_rules_text(ws)
    text = uidata.apply_overrides(saved, state.rule_overrides)
    labels = rule_labels(text, lang)
    params = uidata.numeric_parameters(text)
    if state.rule_overrides:
        sep = "，" if lang == "zh" else ", "
        changes = sep.join(f"{labels.get(r, r)} · {param_label(k, lang)} = {v:g}"
                           for (r, k), v in state.rule_overrides.items())
        st.warning(t("data.rules_changed", lang, changes=md_escape(changes)))
    st.dataframe(pd.DataFrame({
        t("rule", lang): [labels.get(r, r) for r, _, _ in params],
        t("data.rule_key", lang): [param_label(k, lang) for _, k, _ in params],
        t("data.param_value", lang): [v for _, _, v in params],
        t("data.rule_id", lang): [f"{r} · {k}" for r, k, _ in params]}),
        hide_index=True, width="stretch", height=260, key="rule_params",
        column_config={t("data.param_value", lang): st.column_config.NumberColumn(
            format="%g")})
    if not params:
        return
    with st.container(border=True):
        st.markdown(f"**{t('data.rule_edit', lang)}**")
        c1, c2 = st.columns([2, 1])
        choice = c1.selectbox(t("data.rule_key", lang), range(len(params)), key="rule_param",
                              format_func=lambda i: f"{labels.get(params[i][0], params[i][0])}"
                                                    f" · {param_label(params[i][1], lang)}")
        rule_id, key, current = params[choice]
        # keyed by parameter: choosing another one shows its own value
        value = c2.number_input(t("data.param_value", lang), value=float(current),
                                key=f"rule_value_{rule_id}_{key}", format="%.4g")
        if st.button(t("data.rerun", lang), key="rule_rerun"):
            state.rule_overrides[(rule_id, key)] = value
            st.rerun()
    c1, c2 = st.columns(2)
    if state.rule_overrides and can(state, Role.admin) and c1.button(
            t("data.save_rules", lang), key="rules_save"):
        path = uidata.save_rules(ws, text, actor=state.user)
        state.rule_overrides.clear()
        st.success(t("data.rules_saved", lang, path=md_escape(path.name)))
    if state.rule_overrides and c2.button(t("data.reset_rules", lang), key="rules_reset"):
        state.rule_overrides.clear()
        st.rerun()
    with st.expander("rules.toml"):
        st.code(text, language="toml")


def main() -> None:
    state = get_state()
    lang = state.lang or "zh"
    st.title(t("data.title", lang))
    with guard(lang):
        snap = uidata.snapshot()
        ws = uidata.load(snap)
        rows = []
        for kind in [*ws.layers, *ws.tables]:
            rows.append({t("data.layer", lang): f"{layer_name(kind, lang)} ({kind})",
                         t("data.source", lang): ws.layers.get(kind) or ws.tables.get(kind)})
        st.markdown(f"**{t('data.layers_table', lang)}** · {md_escape(ws.name)}")
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="ws_layers")
        with guard(lang):
            _check(ws, lang)
        if can(state, Role.editor):  # nobody else sees an uploader at all
            with guard(lang):
                _upload(ws, lang)
        with guard(lang):
            _download(ws, lang)
        if can(state, Role.editor):
            with guard(lang):
                _history(ws, lang)
        with guard(lang):
            _rulebook(ws, lang)


main()
