"""One zh-CN / English string table for every label, legend and message of the app."""

from __future__ import annotations

from typing import Literal

from layers.catalog import CATALOG
from layers.labels import VALUE_LABELS, value_label  # the one shared table

__all__ = [
    "LANGS",
    "STRINGS",
    "VALUE_LABELS",
    "Lang",
    "column_label",
    "html_lang",
    "lang_from_locale",
    "layer_name",
    "param_label",
    "t",
    "value_label",
]

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

# key -> (zh-CN, English). Placeholders use str.format names.
STRINGS: dict[str, tuple[str, str]] = {
    # app and navigation
    "app.title": ("开发区规划助手", "Development-zone planner"),
    "app.city": ("长治市", "Changzhi"),
    "nav.overview": ("概览", "Overview"),
    "nav.map": ("地图", "Map"),
    "nav.parcels": ("标准地", "Parcels"),
    "nav.catalogue": ("招商地块", "Land on offer"),
    "nav.restoration": ("矿山修复", "Restoration"),
    "nav.data": ("数据", "Data"),
    "sidebar.language": ("语言 / Language", "Language / 语言"),
    "sidebar.workspace": ("工作空间", "Workspace"),
    "sidebar.basemap": ("底图", "Basemap"),
    "sidebar.tianditu_key": ("天地图密钥", "Tianditu key"),
    "sidebar.tianditu_help": ("在天地图官网申请的浏览器端密钥；仅在选择天地图底图时使用。",
                              "A browser key from Tianditu; used only with the Tianditu basemap."),
    "sidebar.as_of": ("评估日期", "Check date"),
    "sidebar.offline": ("离线模式：不访问任何外部网址。",
                        "Offline: no request leaves this machine."),
    "sidebar.online_warning": ("在线底图需要访问外部网络。",
                               "Online basemaps need internet access."),
    "basemap.hillshade": ("本地山体阴影（离线）", "Local hillshade (offline)"),
    "basemap.none": ("无底图", "No basemap"),
    "basemap.osm": ("OpenStreetMap（在线）", "OpenStreetMap (online)"),
    "basemap.tianditu": ("天地图（在线，需要密钥）", "Tianditu (online, key needed)"),
    "basemap.gaode": ("高德（在线，GCJ-02 偏移）", "Gaode (online, GCJ-02 shift)"),
    # generic messages
    "msg.not_yet": ("{what}尚未提供（该功能正在开发中）。",
                    "{what} is not available yet (being built)."),
    "msg.error": ("出错了：{message}", "Something went wrong: {message}"),
    "msg.unexpected": ("意外错误（{kind}）。页面其余部分仍可使用；详情见服务器日志。",
                       "Unexpected error ({kind}). The rest of the page still works; "
                       "details are in the server log."),
    "msg.no_workspace": ("未找到工作空间 {path}。请运行 `make demo` 或设置 DEVZONE_WORKSPACE。",
                         "No workspace at {path}. Run `make demo` or set DEVZONE_WORKSPACE."),
    "msg.no_layer": ("工作空间中没有“{layer}”图层。", "The workspace has no {layer} layer."),
    "msg.assets_missing": ("地图资源文件缺失，地图无法显示。请运行 `make assets`。",
                           "Map asset files are missing, so the map cannot be shown. "
                           "Run `make assets`."),
    "msg.saved": ("已保存。", "Saved."),
    "engine.readiness": ("标准地准备状态评估", "The readiness check"),
    "engine.restoration": ("矿山修复进度", "Restoration progress"),
    "engine.reports": ("地块报告", "Parcel reports"),
    "engine.import": ("图层导入", "Layer import"),
    # map
    "map.layers.hillshade": ("山体阴影（DEM）", "Hillshade (DEM)"),
    "map.layers.coverage_5g": ("5G 覆盖（RSRP）", "5G coverage (RSRP)"),
    "map.layers.parcels_summary": ("标准地（汇总）", "Parcels (summary)"),
    "map.layers.selected": ("选中地块", "Selected parcel"),
    "map.legend": ("图例", "Legend"),
    "map.summary_tip": (
        "{n} 个地块：就绪 {ready}，未就绪 {not_ready}，资料不全 {incomplete}",
        "{n} parcels: ready {ready}, not ready {not_ready}, incomplete {incomplete}"),
    "map.summary_note": (
        "地块过多，按六边形汇总；放大查看单个地块。",
        "Too many parcels to draw: summarised by hexagon; zoom in to see parcels."),
    "map.hex_share": ("就绪比例", "Share ready"),
    "map.click_hint": ("点击地块查看逐条规则；用左侧工具绘制多边形或矩形以检查草图。",
                       "Click a parcel for its rule-by-rule result; draw a polygon or rectangle "
                       "to check a sketch."),
    "map.shown": ("显示 {shown} / {total} 个地块", "Showing {shown} of {total} parcels"),
    "map.summarised": ("{total} 个地块已按六边形汇总（放大查看单个地块）",
                       "{total} parcels summarised by hexagon (zoom in to see them)"),
    "map.dbm": ("dBm", "dBm"),
    "map.parcel_rules": ("地块 {id} 的逐条规则", "Rules for parcel {id}"),
    "map.sketch_result": ("草图检查结果", "Sketch check"),
    "map.sketch_overall": ("草图总体状态：{status}", "Sketch overall: {status}"),
    "map.pick_parcel": ("点击地图上的地块以查看其规则。",
                        "Click a parcel on the map to see its rules."),
    "map.no_parcel_here": ("点击位置没有地块。", "No parcel at the clicked point."),
    "map.draw_polygon": ("绘制多边形", "Draw a polygon"),
    "map.draw_rectangle": ("绘制矩形", "Draw a rectangle"),
    "map.layer_failed": ("以下图层未能加载（请刷新页面）：",
                         "These layers could not be loaded (reload the page): "),
    # readiness
    "readiness": ("准备状态", "Readiness"),
    "rule": ("规则", "Rule"),
    "status": ("状态", "Status"),
    "value": ("实测值", "Value"),
    "threshold": ("阈值", "Threshold"),
    "unit": ("单位", "Unit"),
    "gap": ("差距", "Gap"),
    "cost": ("估算费用（元）", "Cost (CNY)"),
    "message": ("说明", "Message"),
    "requirement": ("要求", "Requirement"),
    "cost_est": ("估算费用", "Estimated cost"),
    "rules.issues": ("需要处理的规则", "Rules to act on"),
    "rules.all_pass": ("全部规则均通过。", "Every rule passes."),
    "rules.details": ("全部规则：差距、费用与说明", "All rules: gap, cost and message"),
    "count": ("数量", "Count"),
    "progress_pct": ("修复进度（%）", "Progress (%)"),
    "days_overdue": ("逾期天数", "Days overdue"),
    "map.lines": ("线状设施", "Networks"),
    "area_ha": ("面积（公顷）", "Area (ha)"),
    "share": ("占比", "Share"),
    # overview
    "overview.title": ("概览", "Overview"),
    "overview.parcels": ("标准地", "Parcels"),
    "overview.ready": ("已就绪（含承诺）", "Ready (incl. commitments)"),
    "overview.ready_area": ("已就绪面积（公顷）", "Ready area (ha)"),
    "overview.restoration_done": ("修复完成率", "Restoration completed"),
    "overview.overdue": ("逾期修复点", "Overdue sites"),
    "overview.by_readiness": ("按准备状态", "By readiness"),
    "overview.by_zone": ("按开发区", "By zone"),
    "overview.zone": ("开发区", "Zone"),
    "overview.no_zone": ("（区外）", "(outside zones)"),
    # parcels page
    "parcels.title": ("标准地", "Standard-land parcels"),
    "parcels.filter_zone": ("开发区", "Zone"),
    "parcels.filter_industry": ("产业", "Industry"),
    "parcels.filter_readiness": ("准备状态", "Readiness"),
    "parcels.filter_rule": ("未通过的规则", "Failing rule"),
    "parcels.any": ("全部", "All"),
    "parcels.count": ("筛选结果：{n} 个地块", "{n} parcels match"),
    "parcels.select_hint": ("在表格中选择一行，地图将缩放到该地块。",
                            "Select a row: the map zooms to that parcel."),
    "parcels.download": ("下载筛选结果", "Download the filtered parcels"),
    "parcels.report": ("地块报告", "Parcel report"),
    "parcels.report_make": ("生成地块 {id} 的报告", "Make the report of parcel {id}"),
    "parcels.report_download": ("下载地块 {id} 的报告（{fmt}）",
                                "Download the report of {id} ({fmt})"),
    "parcels.gap": ("差距与费用", "Gap and cost"),
    "format.geojson": ("GeoJSON（RFC 7946，WGS84）", "GeoJSON (RFC 7946, WGS84)"),
    "format.gpkg": ("GeoPackage", "GeoPackage"),
    "format.csv": ("CSV（Excel 可打开）", "CSV (opens in Excel)"),
    # restoration
    "restoration.title": ("废弃矿山生态修复", "Abandoned-mine restoration"),
    "restoration.stage_chart": ("各阶段图斑数", "Sites by stage"),
    "restoration.progress": ("各图斑进度", "Progress per site"),
    "restoration.overdue": ("逾期图斑", "Overdue sites"),
    "restoration.flagged": ("需关注图斑", "Flagged sites"),
    "restoration.priority": ("优先级排序", "Priority ranking"),
    "restoration.none": ("无。", "None."),
    "restoration.form": ("记录一次巡查", "Record an inspection"),
    "restoration.site": ("图斑", "Site"),
    "restoration.date": ("巡查日期", "Date"),
    "restoration.stage": ("阶段", "Stage"),
    "restoration.restored": ("已修复面积（公顷）", "Restored area (ha)"),
    "restoration.veg": ("植被覆盖度（%）", "Vegetation cover (%)"),
    "restoration.note": ("备注", "Note"),
    "restoration.by": ("记录人", "Recorded by"),
    "restoration.submit": ("保存巡查记录", "Save inspection"),
    "restoration.saved": ("已为 {site} 追加巡查记录。", "Inspection appended for {site}."),
    "restoration.progress_pct": ("修复进度", "Progress"),
    "restoration.days_overdue": ("逾期天数", "Days overdue"),
    "restoration.flags": ("预警", "Flags"),
    "restoration.kpis": ("全市指标", "City KPIs"),
    "restoration.ndvi": ("NDVI 前后对比", "NDVI before / after"),
    # data page
    "data.title": ("数据管理", "Data"),
    "data.upload": ("上传图层", "Upload a layer"),
    "data.upload_help": (
        "GeoJSON、压缩的 Shapefile（.zip，支持 GBK 编码）、GeoPackage、KML 或 CSV。",
        "GeoJSON, zipped Shapefile (.zip, GBK supported), GeoPackage, KML or CSV."),
    "data.kind": ("图层类型", "Layer kind"),
    "data.crs": ("坐标系（文件未声明时）", "CRS (when the file declares none)"),
    "data.crs_help": ("例如 EPSG:4547（CGCS2000 3度带 中央经线114°）；留空则按坐标自动识别。",
                      "e.g. EPSG:4547 (CGCS2000 3° GK, CM 114°E); empty = detect from "
                      "the coordinates."),
    "data.report": ("校验报告", "Validation report"),
    "data.check": ("数据体检", "Data check"),
    "data.check_run": ("检查工作空间的全部数据", "Check every layer of the workspace"),
    "data.check_help": (
        "逐一读取工作空间的图层、表格和栅格，列出字段、几何、编码、坐标系和引用问题"
        "（同 devzone validate）。",
        "Reads every layer, table and raster of the workspace and lists problems with "
        "columns, geometry, encoding, CRS and references (as devzone validate does)."),
    "data.checking": ("正在检查工作空间数据…", "Checking the workspace's data…"),
    "data.check_counts": ("{layers} 个图层：{errors} 个错误，{warnings} 个警告，{infos} 条提示。",
                          "{layers} layers checked — errors: {errors}, warnings: {warnings}, "
                          "notes: {infos}."),
    "data.check_unreadable": ("无法读取{layer}：{message}", "Cannot read {layer}: {message}"),
    "data.check_notes": ("同时列出提示", "List notes too"),
    "data.clean": ("未发现问题。", "No problems found."),
    "data.preview": ("预览（前 20 行）", "Preview (first 20 rows)"),
    "data.accept": ("接受并写入工作空间", "Accept into the workspace"),
    "data.replace": ("替换现有图层（否则追加）", "Replace the existing layer (otherwise append)"),
    "data.allow_outside": ("允许超出工作区范围", "Allow data outside the workspace"),
    "data.allow_outside_help": (
        "默认拒绝落在县区和开发区外扩 20 公里范围以外的要素（多为坐标系有误）；"
        "确认数据确实位于该处时勾选。",
        "Features beyond the counties and zones grown by 20 km are refused by default (usually "
        "a wrong CRS); tick this when the data really lies there."),
    "data.accepted": ("已写入 {kind}：{n} 个要素。", "Written to {kind}: {n} features."),
    "data.refused": ("存在错误，无法导入：请先修正上面列出的问题。",
                     "Errors found, nothing imported: fix the problems listed above first."),
    "data.download": ("下载图层", "Download a layer"),
    "data.layer": ("图层", "Layer"),
    "data.format": ("格式", "Format"),
    "data.rulebook": ("规则手册", "Rulebook"),
    "data.rule_edit": ("修改阈值", "Change a threshold"),
    "data.rule_key": ("参数", "Parameter"),
    "data.rerun": ("用新阈值重新评估", "Re-run with the new threshold"),
    "data.save_rules": ("保存规则手册", "Save the rulebook"),
    "data.rules_saved": ("规则手册已保存到 {path}。", "Rulebook saved to {path}."),
    "data.rules_changed": ("当前使用未保存的阈值：{changes}",
                           "Unsaved thresholds in use: {changes}"),
    "data.reset_rules": ("放弃修改", "Discard changes"),
    "data.source": ("来源", "Source"),
    "data.layers_table": ("工作空间图层", "Workspace layers"),
    "data.features": ("要素数", "Features"),
    "data.severity": ("级别", "Severity"),
    "data.feature": ("要素", "Feature"),
    "data.column": ("字段", "Column"),
    "data.problem": ("问题", "Problem"),
    "data.hint": ("修改建议", "How to fix"),
    "data.rule_id": ("规则编号", "Rule ID"),
    "data.param_value": ("取值", "Value"),
    # sign-in, roles, history (ui/auth.py, Data page)
    "auth.sign_in": ("登录", "Sign in"),
    "auth.user": ("用户名", "User name"),
    "auth.password": ("密码", "Password"),
    "auth.submit": ("登录", "Sign in"),
    "auth.sign_out": ("退出登录", "Sign out"),
    "auth.signed_in": ("已登录：{name}（{role}）", "Signed in: {name} ({role})"),
    "auth.anonymous": ("未登录：仅可查看。", "Not signed in: view only."),
    "auth.wrong": ("用户名或密码错误。", "Wrong user name or password."),
    "auth.wait": ("尝试次数过多，请 {seconds} 秒后再试。",
                  "Too many attempts; try again in {seconds} s."),
    "auth.expired": ("登录已过期，请重新登录。", "Your session has expired; please sign in again."),
    "auth.required": ("请先登录后再使用本系统。", "Please sign in to use this app."),
    "auth.oidc": ("使用单位账号登录", "Sign in with your organisation account"),
    "auth.oidc_missing": ("单位账号登录尚未配置，请联系管理员。",
                          "Organisation sign-in is not configured; please tell an administrator."),
    "auth.how": ("账户由管理员在服务器上用 `devzone user add` 创建；无需联网。",
                 "Accounts are created by an administrator on the server with "
                 "`devzone user add`; no internet is needed."),
    "role.viewer": ("查看者", "viewer"),
    "role.inspector": ("巡查员", "inspector"),
    "role.editor": ("编辑者", "editor"),
    "role.admin": ("管理员", "admin"),
    "history.title": ("版本与修改记录", "Versions and change log"),
    "history.versions": ("版本", "Versions"),
    "history.audit": ("修改记录", "Change log"),
    "history.version": ("要恢复的版本", "Version to restore"),
    "history.restore": ("恢复此版本", "Restore this version"),
    "history.restored": ("已将 {kind} 恢复为版本 {version}。",
                         "{kind} restored to version {version}."),
    "history.empty": ("暂无修改记录。", "No changes recorded yet."),
    "history.version_no": ("版本", "Version"),
    "history.time": ("时间", "Time"),
    "history.kept_at": ("替换时间", "Replaced at"),
    "history.user": ("用户", "User"),
    "history.action": ("操作", "Action"),
    "history.rows": ("行数", "Rows"),
    "history.rows_before": ("修改前行数", "Rows before"),
    "history.rows_after": ("修改后行数", "Rows after"),
    "history.note": ("说明", "Note"),
    "sidebar.tianditu_configured": ("服务器已配置密钥；如需使用其他密钥请在此输入。",
                                    "The server has a key; type another one here to use it."),
    # restoration: KPI and ranking tables
    "indicator": ("指标", "Indicator"),
    "kpi_value": ("数值", "Value"),
    "restoration.rank": ("排序", "Rank"),
    "restoration.score": ("得分", "Score"),
    "restoration.remaining": ("待修复（公顷）", "To restore (ha)"),
    "restoration.road_m": ("距旅游公路（米）", "To tourism road (m)"),
    "restoration.town_m": ("距城镇（米）", "To town (m)"),
    "restoration.town": ("最近城镇", "Nearest town"),
    "restoration.reasons": ("理由", "Reasons"),
    "parcels.zone_name": ("开发区", "Zone"),
    "parcels.report_pick": ("在上方表格中选择一个地块，即可生成其报告。",
                            "Select a parcel in the table above to make its report."),
    # map-first Map page and the Restoration page's map and chart
    "map.search": ("搜索地块", "Find a parcel"),
    "map.search_hint": ("输入地块编号或名称，回车后定位", "Parcel id or name, then Enter"),
    "map.search_none": ("没有编号或名称包含“{q}”的地块。", "No parcel id or name contains “{q}”."),
    "map.search_pick": ("{n} 个匹配地块", "{n} matching parcels"),
    "map.panel": ("规则面板", "Rule panel"),
    "restoration.sites_map": ("各图斑当前阶段", "Sites by current stage"),
    "map.layers.site_points": ("修复图斑（点）", "Restoration sites (points)"),
    "restoration.restored_chart": ("已修复面积变化（据巡查记录）",
                                   "Restored area over time (from inspections)"),
    "restoration.restored_axis": ("已修复面积（公顷）", "Restored area (ha)"),
    "restoration.date_axis": ("日期", "Date"),
    "restoration.no_history": ("暂无带修复面积的巡查记录。",
                               "No inspection with a restored area yet."),
}

# rulebook parameter keys (the last part of a dotted key) -> (zh, en)
PARAM_LABELS: dict[str, tuple[str, str]] = {
    "max_m": ("最大距离（米）", "Max distance (m)"),
    "min_m": ("最小距离（米）", "Min distance (m)"),
    "max_area_m2": ("容许重叠面积（平方米）", "Tolerated overlap (m²)"),
    "cost_per_m": ("单位费用（元/米）", "Unit cost (CNY/m)"),
    "cost_per_unit": ("单位费用（元）", "Unit cost (CNY)"),
    "min_fraction": ("最低比例（0–1）", "Min share (0–1)"),
    "max_fraction": ("最高比例（0–1）", "Max share (0–1)"),
    "min_value": ("最低值", "Min value"),
    "max_value": ("最高值", "Max value"),
    "min": ("下限", "Minimum"),
    "max": ("上限", "Maximum"),
}



def _idx(lang: str) -> int:
    return 0 if lang == "zh" else 1


def t(key: str, lang: str, **fmt: object) -> str:
    """The string ``key`` in ``lang`` (``"zh"`` or ``"en"``), formatted with ``fmt``.

    An unknown key returns the key itself, so a missing translation is visible
    but never crashes a page.

    Examples
    --------
    >>> t("nav.map", "zh"), t("nav.map", "en")
    ('地图', 'Map')
    """
    pair = STRINGS.get(key)
    text = pair[_idx(lang)] if pair else key
    return text.format(**fmt) if fmt else text



def layer_name(kind: str, lang: str) -> str:
    """Display name of a layer kind from the catalogue (falls back to the kind)."""
    spec = CATALOG.get(kind)
    if spec is None:
        return {"counties": ("县区", "Counties")}.get(kind, (kind, kind))[_idx(lang)]
    return spec.zh if lang == "zh" else spec.en


def column_label(kind: str, column: str, lang: str) -> str:
    """Display name of a column of a layer kind (catalogue labels, then the string table)."""
    spec = CATALOG.get(kind)
    col = spec.column(column) if spec else None
    if col is not None and (col.zh or col.en):
        return col.zh if lang == "zh" else col.en
    return t(column, lang) if column in STRINGS else column


def param_label(key: str, lang: str) -> str:
    """A rulebook parameter in words: ``max_m`` → 最大距离（米）; ``by_industry.…`` spelled out.

    Examples
    --------
    >>> param_label("by_industry.photovoltaic.tax_per_mu.min", "zh")
    '光伏 · 亩均税收（万元/亩） · 下限'
    >>> param_label("contract_by_industry.steel.tax_per_mu.min", "en")
    'Contract condition · Steel · Tax per mu (万元/亩) · Minimum'
    >>> param_label("unheard_of", "en")
    'unheard_of'
    """
    parts = key.split(".")
    words = []
    if parts[0] in ("by_industry", "contract_by_industry") and len(parts) >= 3:
        if parts[0] == "contract_by_industry":
            words.append(("供地合同条件", "Contract condition")[_idx(lang)])
        words.append(value_label("industry", parts[1], lang))
        parts = parts[2:]
    for i, part in enumerate(parts):
        if part in PARAM_LABELS and i == len(parts) - 1:
            words.append(PARAM_LABELS[part][_idx(lang)])
            continue
        spec = next((CATALOG[k].column(part) for k in ("parcels", "performance")
                     if k in CATALOG and CATALOG[k].column(part) is not None), None)
        if spec is not None and (spec.zh or spec.en):
            label = spec.zh if lang == "zh" else spec.en
            words.append(f"{label}（{spec.unit}）" if spec.unit and lang == "zh"
                         else f"{label} ({spec.unit})" if spec.unit else label)
        else:
            words.append(part)
    return " · ".join(words)


def lang_from_locale(locale: str | None, default: Lang = "zh") -> Lang:
    """``"zh"`` for a Chinese browser locale, ``"en"`` for any other; ``default`` when unknown."""
    if not locale:
        return default
    return "zh" if locale.lower().startswith("zh") else "en"


def html_lang(lang: str) -> str:
    """The value for the page's ``<html lang>`` (zh-CN makes Chromium pick Chinese glyphs)."""
    return "zh-CN" if lang == "zh" else "en"


# after supply: the Supervision page, the Overview's stock split, the Parcels filter
STRINGS.update({
    "nav.supervision": ("履约监管", "Supervision"),
    "stock.offer_caption": ("可供应存量（储备、待供应）：{n} 宗，{ha:,.1f} 公顷",
                            "Stock on offer (reserve, for supply): {n} parcels, {ha:,.1f} ha"),
    "stock.ready_help": ("只计可供应存量；另有 {n} 宗已就绪地块已供应，不再计入。",
                         "Counts the stock on offer only; {n} ready parcels already "
                         "supplied are not counted."),
    "stock.supplied": ("已供应土地（按履约状态）", "Land already supplied (by supervision status)"),
    "stock.supplied_caption": ("已供应或在建：{n} 宗，{ha:,.1f} 公顷；其中 {moved} 宗按准备状态"
                               "为已就绪，已移出可供应存量。",
                               "Supplied or under construction: {n} parcels, {ha:,.1f} ha; "
                               "{moved} of them are ready and were moved out of the stock on "
                               "offer."),
    "stock.filter": ("供应情况", "Supply"),
    "stock.on_offer": ("可供应存量", "Stock on offer"),
    "stock.supplied_short": ("已供应", "Supplied"),
    "sup.title": ("供后履约监管", "After supply: supervision"),
    "sup.no_contracts": ("工作区中没有供地合同（contracts）表。可在“数据”页导入合同、履约数据和"
                         "承诺事项后查看履约监管。",
                         "The workspace has no contracts table. Import contracts, performance "
                         "and commitments on the Data page to see the supervision."),
    "sup.as_of": ("检查日期：{date}", "Check date: {date}"),
    "sup.contracts": ("合同数", "Contracts"),
    "sup.idle": ("闲置土地", "Idle land"),
    "sup.late_start": ("逾期未开工", "Late start"),
    "sup.review_failed": ("达产复核未通过", "Reviews failed"),
    "sup.start_rate": ("拿地即开工率", "Start-on-handover rate"),
    "sup.start_rate_help": ("交地后 {days} 日内开工的合同占已开工合同（有交地日期）的比例。",
                            "Share of started contracts (with a handover date) that began "
                            "building within {days} days of handover."),
    "sup.filter_status": ("履约状态", "Status"),
    "sup.filter_zone": ("开发区", "Zone"),
    "sup.filter_enterprise": ("企业名称包含", "Enterprise contains"),
    "sup.count": ("筛选结果：{n} 份合同", "{n} contracts match"),
    "sup.map": ("已供应地块（按履约状态着色）", "Supplied parcels (coloured by status)"),
    "sup.enterprise": ("企业履约情况", "Enterprise performance"),
    "sup.pick": ("选择合同（地块 · 企业）", "Contract (parcel · enterprise)"),
    "sup.indicator": ("指标", "Indicator"),
    "sup.committed": ("承诺值", "Committed"),
    "sup.actual": ("实际值", "Actual"),
    "sup.shortfall": ("差距", "Shortfall"),
    "sup.chart_caption": ("实际值占承诺值的百分比（{year} 年）；单位能耗越低越好，"
                          "图中为承诺值÷实际值。",
                          "Actual as a percentage of the commitment ({year}); energy per output "
                          "is lower-is-better, shown as committed ÷ actual."),
    "sup.no_performance": ("尚无履约数据。", "No performance data yet."),
    "sup.commitments": ("承诺事项", "Commitments"),
    "sup.download": ("下载", "Downloads"),
    "sup.download_csv": ("下载监管表（CSV）", "Download the supervision table (CSV)"),
    "sup.report_contract": ("下载合同 {id} 的履约报告（{fmt}）",
                            "Download the supervision report of {id} ({fmt})"),
    "sup.report_city": ("下载全市履约监管汇总（{fmt}）", "Download the city summary ({fmt})"),
    "sup.report_make": ("生成报告", "Make the reports"),
})
STRINGS.update({  # the supervision table's columns
    "supcol.construction": ("建设进度", "Construction"),
    "supcol.idle_status": ("闲置认定", "Idle status"),
    "supcol.days_late": ("逾期天数", "Days late"),
    "supcol.start_lag_days": ("交地至开工（天）", "Handover to start (days)"),
    "supcol.review_status": ("达产复核", "Review"),
    "supcol.failing_indicators": ("未达标指标", "Failing indicators"),
    "supcol.commitments_overdue": ("逾期承诺", "Overdue commitments"),
})
STRINGS["sup.share"] = ("达成率（%）", "Attained (%)")
STRINGS.update({  # the parcel catalogue for investors (ui/pages/catalogue.py)
    "catalogue.title": ("招商地块目录", "Parcel catalogue for investors"),
    "catalogue.intro": ("仅列出可供应的土地（储备、待供应）。共 {n} 个地块，{mu} 亩（{ha} 公顷）。",
                        "Land on offer only (reserve, for supply): {n} parcels, {mu} mu "
                        "({ha} ha)."),
    "catalogue.public": ("公开目录：无需登录即可查看可供应地块（只读）。",
                         "Public catalogue: land on offer, read-only, no sign-in needed."),
    "catalogue.public_link": ("无需登录：查看可供应地块目录", "No sign-in needed: land on offer"),
    "catalogue.filters": ("筛选条件", "Filters"),
    "catalogue.unit": ("面积单位", "Area unit"),
    "catalogue.unit_mu": ("亩", "mu"),
    "catalogue.unit_ha": ("公顷", "ha"),
    "catalogue.min_area": ("最小面积（{unit}）", "Smallest area ({unit})"),
    "catalogue.max_area": ("最大面积（{unit}）", "Largest area ({unit})"),
    "catalogue.max_km": ("距{what}不超过（公里）", "{what} within (km)"),
    "catalogue.missing": ("工作区没有{what}数据（{layer}图层），该条件不可用。",
                          "No {what} in the workspace ({layer} layer): this filter is off."),
    "catalogue.plan": ("我能否达到控制性指标？", "Can I meet the indicators?"),
    "catalogue.plan_help": ("填写项目计划（整个项目的合计值），按各地块面积折算，与该地块产业的"
                            "控制性指标比较。未填写的项不参与判断。",
                            "Enter your project's totals; they are divided by each parcel's area "
                            "and compared with the indicator floors of the parcel's industry. "
                            "Items left empty are not judged."),
    "catalogue.investment": ("固定资产投资（万元）", "Fixed-asset investment (10k CNY)"),
    "catalogue.floor_area": ("总建筑面积（平方米）", "Total floor area (m²)"),
    "catalogue.footprint": ("建筑基底面积（平方米）", "Building footprint (m²)"),
    "catalogue.output": ("年产值（万元）", "Annual output (10k CNY)"),
    "catalogue.tax": ("年税收（万元）", "Annual tax (10k CNY)"),
    "catalogue.energy": ("年综合能耗（吨标准煤）", "Annual energy use (tce)"),
    "catalogue.plan_only": ("只显示我的计划能达标的地块",
                            "Only parcels whose floors my plan meets"),
    "catalogue.plan_summary": ("按您的计划：{meets} 个地块达标，{fails} 个不达标，"
                               "{other} 个无法判断。",
                               "With your plan: {meets} parcels meet their floors, {fails} do "
                               "not, {other} cannot be judged."),
    "catalogue.sort": ("排序", "Sort by"),
    "catalogue.sort.area_desc": ("面积从大到小", "Area, largest first"),
    "catalogue.sort.area_asc": ("面积从小到大", "Area, smallest first"),
    "catalogue.sort.readiness": ("准备状态", "Readiness"),
    "catalogue.sort.dist": ("距{what}由近到远", "Nearest {what} first"),
    "catalogue.count": ("符合条件：{n} 个地块，{mu} 亩", "{n} parcels match, {mu} mu"),
    "catalogue.none": ("没有符合条件的地块，请放宽筛选条件。",
                       "No parcel matches: widen the filters."),
    "catalogue.area_mu": ("面积（亩）", "Area (mu)"),
    "catalogue.area_ha": ("面积（公顷）", "Area (ha)"),
    "catalogue.dist_km": ("距{what}（公里）", "To {what} (km)"),
    "catalogue.plan_status": ("指标测算", "Indicator check"),
    "catalogue.reasons": ("原因", "Why"),
    "catalogue.download": ("下载候选地块", "Download the shortlist"),
    "catalogue.download_fmt": ("下载候选地块（{fmt}，{n} 个）",
                               "Download the shortlist ({fmt}, {n})"),
    "catalogue.sheet": ("地块说明书", "Parcel sheet"),
    "catalogue.sheet_pick": ("在表格中选择一个地块，即可生成其说明书。",
                             "Select a parcel in the table to make its sheet."),
    "facility.motorway_exit": ("高速出口", "motorway exit"),
    "facility.rail_freight": ("铁路货场", "rail freight yard"),
    "facility.substation": ("变电站", "substation"),
    "plan_status.meets": ("达标", "Meets"),
    "plan_status.fails": ("不达标", "Falls short"),
    "plan_status.not_judged": ("无法判断", "Not judged"),
    "plan_status.no_floors": ("无指标要求", "No floors"),
})

# planning ahead: the supply pipeline and the budget plan (ui/planning_widgets.py)
STRINGS.update({
    "pipe.title": ("供地储备（按季度）", "Supply pipeline (by quarter)"),
    "pipe.caption": ("自 {start} 起 {n} 个季度末：规划项目按计划建成日期建成，"
                     "区域评估按有效期到期。",
                     "At the end of {n} quarters from {start}: planned projects built on their "
                     "dates, regional assessments lapsing on their valid-until dates."),
    "pipe.ready_ha": ("已就绪（公顷）", "Ready (ha)"),
    "pipe.rwc_ha": ("承诺制就绪（公顷）", "Ready with commitments (ha)"),
    "pipe.quarter": ("季度末", "Quarter end"),
    "pipe.zone": ("开发区", "Zone"),
    "pipe.dropouts": ("因区域评估到期而退出的地块",
                      "Parcels that drop out as an assessment expires"),
    "pipe.no_dropouts": ("期间没有地块因区域评估到期而退出。",
                         "No parcel drops out because an assessment expires."),
    "pipe.expired": ("到期评估", "Expired assessments"),
    "pipe.download": ("下载供地储备表（CSV）", "Download the pipeline table (CSV)"),
    "plan.title": ("投资方案（预算内使最多土地达标）",
                   "Budget plan (most land ready within a budget)"),
    "plan.budget": ("预算（万元）", "Budget (万元)"),
    "plan.summary": ("{n} 宗地块、{ha:,.2f} 公顷可达标，花费 {cost:,.1f} 万元"
                     "（预算 {budget:,.0f} 万元）",
                     "{n} parcels, {ha:,.2f} ha made ready for {cost:,.1f} 万元 "
                     "(budget {budget:,.0f} 万元)"),
    "plan.optimal": ("最优方案（混合整数规划，HiGHS 求解并证明最优）。",
                     "Optimal plan (mixed-integer programme, solved and proven optimal by HiGHS)."),
    "plan.not_optimal": ("求解器未能在时限内证明最优，以下为目前找到的最好方案：{message}",
                         "The solver could not prove optimality in time; this is the best plan "
                         "found: {message}"),
    "plan.works": ("选定的工程", "Chosen works"),
    "plan.ready": ("因此达标的地块", "Parcels they make ready"),
    "plan.nothing": ("没有可以通过修路、接水、接电达标的地块。",
                     "No parcel can be made ready by closing distance gaps."),
    "plan.unpriced": ("以下项目没有投资估算，未纳入方案：{ids}",
                      "These projects have no cost and are left out: {ids}"),
    "plan.rank": ("规划项目排序（单独建成时）", "Planned projects ranked (each built alone)"),
    "plan.download": ("下载方案（CSV）", "Download the plan (CSV)"),
    "plan.kind_project": ("规划项目", "Planned project"),
    "plan.kind_extension": ("单宗延伸", "Extension to one parcel"),
    "plancol.work_id": ("工程编号", "Work"),
    "plancol.kind": ("类型", "Kind"),
    "plancol.name": ("名称", "Name"),
    "plancol.cost_wan": ("投资（万元）", "Cost (万元)"),
    "plancol.parcels": ("地块数", "Parcels"),
    "plancol.ha": ("面积（公顷）", "Area (ha)"),
    "plancol.parcel_id": ("地块编号", "Parcel"),
    "plancol.zone_id": ("开发区", "Zone"),
    "plancol.area_ha": ("面积（公顷）", "Area (ha)"),
    "plancol.closed_by": ("依靠的工程", "Made ready by"),
    "plancol.project_id": ("项目编号", "Project"),
    "plancol.cost_per_ha": ("每公顷投资（万元）", "Cost per ha (万元)"),
    "plancol.gaps_closed": ("缩小差距的地块", "Parcels helped"),
    "plancol.rank": ("排名", "Rank"),
})
STRINGS.update({  # the Scenarios page (planned projects, what-if)
    "nav.scenarios": ("规划情景", "Scenarios"),
    "scen.title": ("规划情景：建设项目后哪些地块可供地",
                   "Scenarios: what planned projects make ready"),
    "scen.mode": ("情景来源", "Scenario"),
    "scen.mode_projects": ("选择项目", "Pick projects"),
    "scen.mode_saved": ("已保存情景", "Saved scenario"),
    "scen.saved": ("已保存情景", "Saved scenario"),
    "scen.pick": ("假定建成的项目", "Projects assumed built"),
    "scen.pick_placeholder": ("选择一个或多个项目", "Choose one or more projects"),
    "scen.pick_hint": ("选择项目后，地图与表格显示状态发生变化的地块。",
                       "Pick projects to see the parcels whose readiness changes."),
    "scen.no_projects": ("工作空间中没有规划项目（projects 表或图层的 project_id）。",
                         "The workspace has no planned projects (a projects table or "
                         "project_id on the layers)."),
    "scen.cost_short": ("{cost:,.0f} 万元", "{cost:,.0f} 万元"),
    "scen.m_parcels": ("新增可供地块", "Parcels made ready"),
    "scen.m_ha": ("新增可供面积（公顷）", "Hectares made ready"),
    "scen.m_cost": ("项目投资（万元）", "Project cost (万元)"),
    "scen.m_cost_ha": ("每公顷投资（万元）", "Cost per hectare (万元)"),
    "scen.count": ("{n} 个地块的准备状态发生变化（地图上加框显示）",
                   "{n} parcels change readiness (outlined on the map)"),
    "scen.changed_layer": ("状态变化的地块", "Parcels that change"),
    "scen.before": ("现状", "Before"),
    "scen.after": ("建成后", "After"),
    "scen.by": ("依托项目", "Unlocked by"),
    "scen.col_parcel": ("地块编号", "Parcel"),
    "scen.col_area": ("面积（公顷）", "Area (ha)"),
    "scen.download_csv": ("下载变化地块（CSV）", "Download the changed parcels (CSV)"),
    "scen.download_geojson": ("下载变化地块（GeoJSON）", "Download the changed parcels (GeoJSON)"),
    "scen.report": ("下载情景报告（{fmt}）", "Download the scenario report ({fmt})"),
    "scen.report_pdf": ("生成 PDF 报告", "Make the PDF report"),
    "scen.save": ("保存情景", "Save the scenario"),
    "scen.read_only": ("只读：保存情景需要编辑权限。",
                       "Read-only: saving a scenario needs the editor role."),
    "scen.save_name": ("情景名称", "Scenario name"),
    "scen.save_note": ("说明", "Note"),
    "scen.save_button": ("保存", "Save"),
    "scen.saved_ok": ("已保存情景 {name}。", "Saved scenario {name}."),
    "scen.compare": ("情景比较", "Compare scenarios"),
    "scen.compare_pick": ("比较的已保存情景", "Saved scenarios to compare"),
    "scen.baseline": ("现状", "Baseline"),
    "scen.row.ready_parcels": ("可供地（宗）", "Ready (parcels)"),
    "scen.row.ready_ha": ("可供地（公顷）", "Ready (ha)"),
    "scen.row.ready_with_commitments_parcels": ("承诺后可供（宗）",
                                                "Ready with commitments (parcels)"),
    "scen.row.ready_with_commitments_ha": ("承诺后可供（公顷）", "Ready with commitments (ha)"),
    "scen.row.incomplete_parcels": ("资料不全（宗）", "Incomplete (parcels)"),
    "scen.row.incomplete_ha": ("资料不全（公顷）", "Incomplete (ha)"),
    "scen.row.not_ready_parcels": ("未就绪（宗）", "Not ready (parcels)"),
    "scen.row.not_ready_ha": ("未就绪（公顷）", "Not ready (ha)"),
    "scen.row.cost_wan": ("项目投资（万元）", "Project cost (万元)"),
})
