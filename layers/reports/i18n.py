"""The zh-CN / English strings of the printable reports (one table; no UI imports)."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Literal

import pandas as pd

from layers.catalog import CATALOG
from layers.labels import VALUE_LABELS, value_label  # the one shared table

__all__ = [
    "LANGS",
    "STRINGS",
    "VALUE_LABELS",
    "Lang",
    "check_lang",
    "fmt_date",
    "fmt_money",
    "fmt_num",
    "layer_label",
    "t",
    "value_label",
]

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")

# key -> (zh-CN, English); placeholders use str.format names.
STRINGS: dict[str, tuple[str, str]] = {
    # titles
    "parcel.title": ("标准地准备情况报告", "Standard-land parcel readiness report"),
    "zone.title": ("开发区标准地汇总报告", "Development-zone summary report"),
    "restoration.title": ("废弃矿山生态修复进展报告", "Mine restoration progress report"),
    # common
    "workspace": ("工作空间", "Workspace"),
    "as_of": ("评估日期", "Check date"),
    "generated": ("生成时间", "Generated"),
    "rulebook": ("规则集", "Rulebook"),
    "crs": ("分析坐标系", "Analysis CRS"),
    "sources": ("数据来源", "Data sources"),
    "source.layer": ("数据", "Data"),
    "source.file": ("文件", "File"),
    "source.features": ("要素数", "Features"),
    "source.absent": ("工作空间未提供", "not in the workspace"),
    "missing.title": ("缺失数据", "Missing data"),
    "missing.layer": ("缺少“{what}”图层：{effect}", "No {what} layer: {effect}"),
    "missing.raster": ("缺少“{what}”栅格：{effect}", "No {what} raster: {effect}"),
    "missing.table": ("缺少“{what}”表：{effect}", "No {what} table: {effect}"),
    "missing.rules_unknown": ("相关规则结果为“未知”（{rules}）", "the rules {rules} are unknown"),
    "missing.map_only": ("地图上不显示该图层", "the map does not show it"),
    "missing.font": ("未找到中文字体：地图标注改用英文，PDF 中的中文可能无法显示。"
                     "请安装 fonts-noto-cjk。",
                     "No CJK font found: map labels are in English and Chinese text may not "
                     "show in the PDF. Install fonts-noto-cjk."),
    "notes": ("说明", "Notes"),
    "page": ("第 {page} 页", "Page {page}"),
    "map": ("位置图", "Map"),
    "map.note": ("本地绘制，未使用在线底图；坐标系 {crs}。",
                 "Drawn locally without online tiles; CRS {crs}."),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "none": ("无", "none"),
    "dash": ("—", "—"),
    "unit.ha": ("公顷", "ha"),
    "unit.mu": ("亩", "mu"),
    "unit.m": ("米", "m"),
    "unit.days": ("天", "days"),
    "unit.wan": ("万元", "10k CNY"),
    # parcel
    "parcel.facts": ("地块概况", "Parcel"),
    "parcel.id": ("地块编号", "Parcel ID"),
    "parcel.name": ("地块名称", "Name"),
    "parcel.zone": ("所在开发区", "Development zone"),
    "parcel.zone_none": ("不在任何开发区内", "outside every zone"),
    "parcel.zone_unknown": ("未知（缺少开发区图层）", "unknown (no zones layer)"),
    "parcel.area": ("面积", "Area"),
    "parcel.area_value": ("{ha} 公顷（{mu} 亩）", "{ha} ha ({mu} mu)"),
    "parcel.declared": ("（申报 {ha} 公顷）", " (declared {ha} ha)"),
    "parcel.land_use": ("用地性质", "Land use"),
    "parcel.industry": ("拟引进产业", "Industry"),
    "parcel.supply_status": ("供应状态", "Supply status"),
    "parcel.overall": ("总体结论", "Overall"),
    "parcel.rules": ("逐项核查", "Rule-by-rule check"),
    "parcel.actions": ("达到出让条件还需", "What must happen to make it ready"),
    "parcel.no_actions": ("无需补充，可直接出让。", "Nothing: the parcel can be supplied now."),
    "parcel.total_cost": ("可估算的配套费用合计：{cost}",
                          "Estimated cost of the known gaps: {cost}"),
    "parcel.indicators": ("控制性指标", "Control indicators"),
    "parcel.contract_condition": ("合同条件（达产复核）",
                                  "contract condition (reviewed at full production)"),
    "parcel.assessments": ("区域评估", "Regional assessments"),
    "parcel.no_assessments": ("没有该地块或其所在开发区的评估记录。",
                              "No assessment record for this parcel or its zone."),
    "col.rule": ("核查项", "Rule"),
    "col.required": ("必备", "Req."),
    "col.status": ("结果", "Status"),
    "col.value": ("实测值", "Measured"),
    "col.threshold": ("要求", "Threshold"),
    "col.gap": ("差距", "Gap"),
    "col.cost": ("估算费用", "Est. cost"),
    "col.message": ("说明", "Details"),
    "col.kind": ("评估事项", "Assessment"),
    "col.scope": ("范围", "Scope"),
    "col.approved_on": ("批复日期", "Approved"),
    "col.valid_until": ("有效期至", "Valid until"),
    "col.expiry": ("到期情况", "Expiry"),
    "col.ref": ("批复文号", "Reference"),
    "required.yes": ("必备", "required"),
    "required.no": ("参考", "advisory"),
    "expiry.expired": ("已过期 {days} 天", "expired {days} days ago"),
    "expiry.left": ("剩余 {days} 天", "{days} days left"),
    "expiry.soon": ("{days} 天后到期", "expires in {days} days"),
    "expiry.none": ("长期有效", "no expiry"),
    "scope.zone": ("开发区", "zone"),
    "scope.parcel": ("地块", "parcel"),
    "overall.ready": ("该地块已具备“拿地即开工”条件。", "The parcel is ready to be supplied."),
    "overall.ready_with_commitments": ("该地块在企业承诺的前提下具备出让条件。",
                                       "The parcel is ready, subject to the investor's "
                                       "commitments."),
    "overall.not_ready": ("该地块尚不具备出让条件：{n} 项必备条件未满足。",
                          "The parcel is not ready: {n} required rule(s) fail."),
    "overall.incomplete": ("资料不全，无法得出结论：{n} 项必备条件未知。",
                           "Incomplete: {n} required rule(s) could not be checked."),
    "action.fail": ("{rule}：{message}", "{rule}: {message}"),
    "action.unknown": ("补充资料后复核“{rule}”：{message}",
                       "Provide data to check {rule}: {message}"),
    "action.committed": ("企业签署“{rule}”承诺", "Investor signs the commitment for {rule}"),
    "threshold.distance": ("≤ {v} 米", "≤ {v} m"),
    "threshold.within": ("区内比例 ≥ {v}%", "≥ {v}% inside"),
    "threshold.overlap": ("重叠 ≤ {v}%", "overlap ≤ {v}%"),
    "threshold.overlap_area": ("重叠 ≤ {v}% 或 ≤ {a} 平方米", "overlap ≤ {v}% or ≤ {a} m²"),
    "threshold.min_distance": ("≥ {v} 米", "≥ {v} m"),
    "threshold.coverage": ("≥{f}% 网格≥{v}{unit}", "≥{f}% cells ≥{v}{unit}"),
    "threshold.assessment": ("已批复且有效", "approved, valid"),
    "threshold.assessment_commit": ("已批复或承诺", "approved/committed"),
    "threshold.equals": ("= {v}", "= {v}"),
    "threshold.one_of": ("属于 {v}", "one of {v}"),
    "threshold.indicators": ("{industry}产业指标", "{industry} indicators"),
    "indicators.all_met": ("均达标", "all met"),
    "indicators.n_failed": ("{n} 项未达标", "{n} not met"),
    # zone
    "zone.facts": ("开发区概况", "Zone"),
    "zone.id": ("开发区编号", "Zone ID"),
    "zone.name": ("名称", "Name"),
    "zone.kind": ("类型", "Kind"),
    "zone.area": ("面积", "Area"),
    "zone.parcels": ("标准地数量", "Parcels"),
    "zone.by_readiness": ("按准备状态统计", "Parcels by readiness"),
    "zone.count": ("地块数", "Parcels"),
    "zone.area_ha": ("面积（公顷）", "Area (ha)"),
    "zone.share": ("面积占比", "Share of area"),
    "zone.total": ("合计", "Total"),
    "zone.failing": ("未通过最多的核查项", "Most frequently failing rules"),
    "zone.failing_n": ("未通过地块数", "Parcels failing"),
    "zone.unknown_n": ("未知", "Unknown"),
    "zone.failing_cost": ("估算费用合计", "Total est. cost"),
    "zone.cheapest": ("补齐成本最低的未就绪地块", "Cheapest parcels to make ready"),
    "zone.cheapest_note": ("仅列出所有差距均可估算费用的地块；其他地块需先补充资料或取得批复。",
                           "Only parcels whose every gap has a cost estimate; the others need "
                           "data or approvals first."),
    "zone.gaps": ("待补齐事项", "Gaps to close"),
    "zone.no_parcels": ("该开发区内没有标准地。", "The zone holds no standard-land parcel."),
    "zone.none_cheap": ("没有可估算费用的未就绪地块。", "No not-ready parcel with a costed gap."),
    # restoration
    "rest.kpis": ("全市关键指标", "City key figures"),
    "rest.by_stage": ("按修复阶段", "By stage"),
    "rest.by_county": ("按县区", "By county"),
    "rest.sites": ("图斑进展明细", "Progress per site"),
    "rest.priorities": ("优先治理清单", "Priority list"),
    "rest.flags": ("预警", "Warnings"),
    "rest.metric": ("指标", "Figure"),
    "rest.value": ("数值", "Value"),
    "col.site_id": ("图斑编号", "Site ID"),
    "col.site_name": ("矿山名称", "Mine"),
    "col.county": ("县区", "County"),
    "col.stage": ("阶段", "Stage"),
    "col.progress": ("进度", "Progress"),
    "col.overdue": ("逾期（天）", "Overdue (days)"),
    "col.ndvi_change": ("NDVI 变化", "NDVI change"),
    "col.flags": ("预警", "Flags"),
    "col.sites": ("图斑数", "Sites"),
    "col.area_ha": ("面积（公顷）", "Area (ha)"),
    "col.restored_ha": ("已修复（公顷）", "Restored (ha)"),
    "col.share_sites": ("图斑占比", "Share of sites"),
    "col.completed": ("已完工", "Completed"),
    "col.share_completed": ("完工率", "Share completed"),
    "col.accepted": ("已验收", "Accepted"),
    "col.overdue_n": ("逾期", "Overdue"),
    "col.budget": ("预算（万元）", "Budget (10k CNY)"),
    "col.spent": ("已支出（万元）", "Spent (10k CNY)"),
    "col.rank": ("序号", "Rank"),
    "col.score": ("得分", "Score"),
    "col.reasons": ("理由", "Reasons"),
    "col.remaining": ("待修复（公顷）", "To restore (ha)"),
    "rest.ndvi_epochs": ("NDVI 时相：{epochs}", "NDVI epochs: {epochs}"),
    "rest.no_ndvi": ("无 NDVI 栅格，植被变化未计算。",
                     "No NDVI raster: vegetation change not computed."),
    # map legend
    "legend.parcel": ("本地块", "This parcel"),
    "legend.parcels": ("其他标准地", "Other parcels"),
    "legend.zone": ("开发区边界", "Zone boundary"),
    "legend.g5": ("5G ≥ {v} dBm", "5G ≥ {v} dBm"),
    "legend.g5_stations": ("5G 基站覆盖范围", "5G base-station coverage"),
    "legend.roads": ("道路", "Roads"),
    "legend.water": ("供水", "Water"),
    "legend.power": ("电力", "Power"),
    "legend.mines": ("矿山修复图斑", "Mine sites"),
    "legend.tourism_road": ("太行旅游公路", "Tourism road"),
    "legend.counties": ("县区界", "Counties"),
}



def check_lang(lang: str) -> Lang:
    """Return ``lang`` if it is ``zh`` or ``en``, else raise an ``InputError``."""
    if lang not in LANGS:
        from gis.errors import InputError

        raise InputError(f"Unknown report language {lang!r}.", hint="Use zh or en.",
                         zh=f"未知的报告语言 {lang!r}。", hint_zh="请使用 zh 或 en。")
    return lang  # type: ignore[return-value]


def _i(lang: str) -> int:
    return 0 if lang == "zh" else 1


def t(key: str, lang: str, **fmt: object) -> str:
    """The string ``key`` in ``lang``, formatted with ``fmt``; an unknown key returns itself.

    Examples
    --------
    >>> t("col.rule", "zh"), t("col.rule", "en")
    ('核查项', 'Rule')
    """
    pair = STRINGS.get(key)
    text = pair[_i(lang)] if pair else key
    return text.format(**fmt) if fmt else text



def layer_label(kind: str, lang: str) -> str:
    """The catalogue's label of a layer kind (``roads`` → 道路 / Roads)."""
    spec = CATALOG.get(kind)
    if spec is None:
        return {"dem": ("数字高程模型", "DEM"), "coverage_5g": ("5G 信号强度", "5G signal"),
                "slope": ("坡度", "slope"), "ndvi": ("NDVI", "NDVI")}.get(
                    kind, (kind, kind))[_i(lang)]
    return spec.zh if lang == "zh" else spec.en


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_num(value: object, digits: int = 2, *, unit: str = "") -> str:
    """A number with thousands separators and at most ``digits`` decimals; '—' when missing.

    Examples
    --------
    >>> fmt_num(12345.678), fmt_num(3.0), fmt_num(None), fmt_num(0.5, unit="m")
    ('12,345.68', '3', '—', '0.5 m')
    """
    if _missing(value):
        return "—"
    if isinstance(value, bool):
        return str(value)
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"{value} {unit}".strip()
    if not math.isfinite(v):
        return "—"
    text = f"{v:,.{digits}f}".rstrip("0").rstrip(".") if digits > 0 else f"{v:,.0f}"
    if text in ("-0", ""):
        text = "0"
    return f"{text} {unit}".strip() if unit else text


def fmt_money(cny: object, lang: str) -> str:
    """A cost in CNY: ``万元`` in Chinese, ``CNY`` in English; '—' when missing."""
    if _missing(cny):
        return "—"
    v = float(cny)  # type: ignore[arg-type]
    if lang == "zh":
        return f"{fmt_num(v / 10_000.0, 2)} 万元"
    return f"CNY {fmt_num(v, 0)}"


def fmt_date(value: object) -> str:
    """ISO date (YYYY-MM-DD) of a date, timestamp or text; '—' when missing."""
    if _missing(value):
        return "—"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return pd.Timestamp(value).date().isoformat()
    except (TypeError, ValueError):
        return str(value)


# after supply: the per-contract supervision report and the city summary
STRINGS.update({
    "sup.title": ("供后履约监管告知书", "Supervision report after land supply"),
    "sup.city_title": ("全市供后履约监管汇总", "City summary: supervision after supply"),
    "sup.subtitle": ("地块 {parcel} · {enterprise} · 检查日期 {date}",
                     "Parcel {parcel} · {enterprise} · check date {date}"),
    "sup.city_subtitle": ("{ws} · 检查日期 {date}", "{ws} · check date {date}"),
    "sup.facts": ("合同与建设情况", "Contract and construction"),
    "sup.status": ("履约状态", "Status"),
    "sup.indicators": ("达产复核：承诺指标与实际值",
                       "Review at full production: committed vs actual"),
    "sup.review_line": ("复核日期 {due}；依据 {year} 年履约数据。",
                        "Review due {due}; figures of {year}."),
    "sup.review_pending": ("复核日期 {due}，尚未到期。", "Review due {due}: not yet due."),
    "sup.review_missing": ("复核日期 {due} 已到，但尚无履约数据。",
                           "Review due {due}, but no performance data is on file."),
    "sup.commitments": ("承诺事项", "Commitments"),
    "sup.findings": ("问题与依据", "Findings and the applicable clauses"),
    "sup.no_findings": ("截至检查日期，未发现违约情形。", "No breach as of the check date."),
    "sup.delay_reason": ("企业说明的延期原因：{reason}", "Delay reason on file: {reason}"),
    "col.indicator": ("指标", "Indicator"),
    "col.committed": ("承诺值", "Committed"),
    "col.actual": ("实际值", "Actual"),
    "col.shortfall": ("差距", "Shortfall"),
    "col.result": ("结论", "Result"),
    "col.item": ("承诺事项", "Item"),
    "col.due": ("承诺期限", "Due"),
    "col.fulfilled": ("履行日期", "Fulfilled"),
    "col.enterprise": ("企业", "Enterprise"),
    "col.days_late": ("逾期天数", "Days late"),
    "col.failing": ("未达标指标及差距", "Failing indicators and shortfalls"),
    "col.count": ("数量", "Count"),
    "res.met": ("达标", "Met"),
    "res.not_met": ("未达标", "Not met"),
    "res.no_value": ("无数据", "No value"),
    "res.fulfilled": ("已履行", "Fulfilled"),
    "res.overdue": ("逾期未履行", "Overdue"),
    "res.open": ("未到期", "Not yet due"),
    "fact.signed": ("签约日期", "Signed"),
    "fact.handover": ("交地日期", "Handed over"),
    "fact.agreed": ("约定开工 / 竣工", "Agreed start / completion"),
    "fact.actual": ("实际开工 / 竣工", "Actual start / completion"),
    "fact.construction": ("建设进度", "Construction"),
    "fact.idle": ("闲置认定", "Idle status"),
    "fact.start_lag": ("交地至开工", "Handover to start"),
    "fact.days": ("{n} 天", "{n} days"),
    "clause.late_start": (
        "已超过合同约定的动工开发日期 {days} 天仍未动工。"
        "依据《闲置土地处置办法》（国土资源部令第53号）第二条，超过约定动工日期满一年未动工的，可认定为闲置土地；请尽快开工或书面说明原因。",
        "Building has not started {days} days after the agreed start date. Under the Measures "
        "on the Disposal of Idle Land (MLR Order No. 53), art. 2, land not started one full "
        "year after the agreed date may be declared idle: start now or explain the delay in "
        "writing."),
    "clause.idle": (
        "超过约定动工日期满一年（{days} 天）未动工，构成闲置土地。"
        "依据《闲置土地处置办法》第十四条第（一）项，"
        "可按土地出让或划拨价款的百分之二十征缴土地闲置费。",
        "Not started one full year after the agreed date ({days} days): idle land. Under "
        "art. 14(1) of MLR Order No. 53 an idle-land fee of 20 % of the land price may be "
        "levied."),
    "clause.idle_recoverable": (
        "超过约定动工日期满两年（{days} 天）未动工。依据《闲置土地处置办法》第十四条第（二）项，"
        "经有批准权的人民政府批准，可无偿收回国有建设用地使用权。",
        "Not started two full years after the agreed date ({days} days). Under art. 14(2) of "
        "MLR Order No. 53 the land-use right may be taken back without compensation, with the "
        "approval of the competent people's government."),
    "clause.exempt": (
        "若延期系政府或政府有关部门的行为造成（《闲置土地处置办法》第八条，如未按约定交付土地、"
        "规划调整），不属企业责任，请提交相关证明。",
        "If the delay was caused by the government or its departments (MLR Order No. 53, "
        "art. 8, e.g. land not delivered as agreed, a planning change), it is not the "
        "enterprise's responsibility: send the evidence."),
    "clause.late_completion": (
        "已超过合同约定的竣工日期 {days} 天尚未竣工。依据供地合同（投资协议）关于竣工期限的约定，"
        "承担相应违约责任。",
        "Completion is {days} days past the agreed date. The completion clause of the supply "
        "contract (investment agreement) applies: liability for breach as agreed."),
    "clause.review_fail": (
        "达产复核未通过：{items}。依据投资协议（投入产出监管协议）达产复核条款，应限期整改；"
        "逾期仍未达标的，按合同约定支付违约金或取消相关优惠政策。",
        "Review at full production failed: {items}. Under the review clause of the investment "
        "agreement, rectify within the set period; if still not met, liquidated damages or "
        "the loss of incentives apply as the contract says."),
    "clause.review_missing": (
        "达产复核日期已到，但未报送履约数据。请按投资协议报送投资、税收、产出和能耗数据。",
        "The review is due but no performance data was reported. Report investment, tax, "
        "output and energy figures as the investment agreement requires."),
    "clause.commitment": (
        "承诺事项逾期未履行 {n} 项。依据“标准地”承诺制告知承诺书，应立即补办；"
        "未履行承诺的，依承诺书约定处理并记入信用记录。",
        "{n} commitment(s) overdue. Under the 承诺制 commitment letter, complete them now; "
        "unfulfilled commitments are handled as the letter says and recorded in the credit "
        "file."),
    "sup.kpis": ("主要指标", "Key figures"),
    "sup.by_group": ("按状态统计", "Counts by status"),
    "sup.idle_list": ("闲置及逾期未开工土地", "Idle land and late starts"),
    "sup.failed_list": ("达产复核未通过", "Failed reviews"),
    "sup.overdue_list": ("承诺逾期", "Overdue commitments"),
    "sup.start_rate": ("拿地即开工率（交地后 {days} 日内开工）",
                       "Start-on-handover rate (started within {days} days)"),
    "sup.median_lag": ("交地至开工中位数（天）", "Median handover-to-start (days)"),
    "sup.none": ("无", "None"),
    "group.construction": ("建设进度", "Construction"),
    "fact.agreed_start": ("约定开工日期", "Agreed start"),
    "stock.offer": ("可供应存量", "Stock on offer"),
    "stock.offer_fact": ("{n} 宗 · {ha} {unit}，"
                         "其中已就绪（含承诺制）{ready} 宗 · {ready_ha} {unit}",
                         "{n} parcels · {ha} {unit}, of which ready (incl. commitments) "
                         "{ready} · {ready_ha} {unit}"),
    "stock.supplied": ("已供应土地", "Land already supplied"),
    "stock.supplied_fact": ("{n} 宗 · {ha} {unit}；其中就绪地块 {moved} 宗已移出可供应存量",
                            "{n} parcels · {ha} {unit}; {moved} ready parcels moved out of "
                            "the stock on offer"),
    "stock.by_status": ("；按履约状态：{list}", "; by status: {list}"),
    "sup.shortfall_item": ("{name}（差距 {value}）", "{name} (shortfall {value})"),
    "group.idle_status": ("闲置认定", "Idle status"),
    "group.review_status": ("达产复核", "Review"),
})
STRINGS.update({  # the scenario report
    "scen.title": ("规划情景报告", "Scenario report"),
    "scen.facts": ("情景概况", "Scenario"),
    "scen.name": ("情景", "Scenario"),
    "scen.parcels": ("新增可供地块", "Parcels made ready"),
    "scen.changed_n": ("状态变化的地块", "Parcels that change"),
    "scen.cost": ("项目投资（万元）", "Project cost (万元)"),
    "scen.cost_ha": ("每公顷投资（万元）", "Cost per hectare made ready (万元)"),
    "scen.assume": ("按计划建成截至", "Planned features built by"),
    "scen.projects": ("假定建成的项目", "Projects assumed built"),
    "scen.changed": ("状态变化的地块", "Parcels whose readiness changes"),
    "scen.none": ("没有地块的状态发生变化。", "No parcel changes readiness."),
    "scen.col.project": ("项目编号", "Project"),
    "scen.col.name": ("项目名称", "Name"),
    "scen.col.kind": ("类型", "Kind"),
    "scen.col.cost": ("投资（万元）", "Cost (万元)"),
    "scen.col.date": ("计划建成", "Planned"),
    "scen.col.parcel": ("地块编号", "Parcel"),
    "scen.col.before": ("现状", "Before"),
    "scen.col.after": ("建成后", "After"),
    "scen.col.area": ("面积（公顷）", "Area (ha)"),
    "scen.col.by": ("依托项目", "Unlocked by"),
})
