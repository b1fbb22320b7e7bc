"""The layer catalogue: what each layer kind is, its columns, allowed values, labels and style.

This is the one place that describes the workspace's layers (docs/workspace.md,
"Layer schemas"). Loaders, validation, the demo, the map and the reports all read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "CATALOG",
    "DBF_NAME_LEN",
    "LAYER_KINDS",
    "MINE_STAGES",
    "TABLE_KINDS",
    "ColumnSpec",
    "LayerSpec",
    "alias_map",
    "get_spec",
    "truncated_names",
]

DBF_NAME_LEN = 10  # a Shapefile's .dbf keeps this many characters of a field name

Dtype = Literal["str", "int", "float", "bool", "date"]
GeomFamily = Literal["polygon", "line", "point", "line_or_point", "none"]


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a layer: type, whether required, allowed values, labels, aliases."""

    name: str
    dtype: Dtype = "str"
    required: bool = False
    allowed: tuple[str, ...] | None = None
    zh: str = ""
    en: str = ""
    aliases: tuple[str, ...] = ()
    unit: str = ""


@dataclass(frozen=True)
class LayerSpec:
    """A layer kind (or a non-spatial table when ``geometry == "none"``)."""

    kind: str
    zh: str
    en: str
    geometry: GeomFamily
    columns: tuple[ColumnSpec, ...]
    id_column: str | None = None
    style: dict[str, object] = field(default_factory=dict)

    @property
    def is_table(self) -> bool:
        return self.geometry == "none"

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> ColumnSpec | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, zh: str, en: str, dtype: Dtype = "str", *, required: bool = False,
       allowed: tuple[str, ...] | None = None, aliases: tuple[str, ...] = (),
       unit: str = "") -> ColumnSpec:
    return ColumnSpec(name, dtype, required, allowed, zh, en, aliases, unit)


MINE_STAGES: tuple[str, ...] = (
    "not_started", "approved", "in_progress", "completed", "accepted", "maintenance", "closed",
)
INFRA_STATUS = ("existing", "under_construction", "planned")
SUPPLY_STATUS = ("reserve", "for_supply", "supplied", "under_construction")
ZONE_KINDS = ("high_tech", "econ_tech", "provincial", "other")
CONSTRAINT_KINDS = (
    "ecological_redline", "basic_farmland", "flood", "geohazard", "mining_right",
    "urban_development_boundary",  # 城镇开发边界, the third control line (a "within" rule)
)
# raw_main: raw-water transmission (reservoir → treatment plant), not a supply to parcels
WATER_KINDS = ("main", "branch", "raw_main", "plant", "reservoir", "pump")
POWER_KINDS = ("substation", "line")
GAS_KINDS = ("main", "branch", "station")
TRANSPORT_KINDS = ("motorway_exit", "rail_freight", "rail_station", "airport", "port")
ASSESSMENT_STATUS = ("approved", "committed", "pending", "not_required")
ASSESSMENT_KINDS = (
    "mineral_overlay", "eia", "energy", "geohazard", "seismic", "water_resources",
    "soil_water", "flood", "cultural_relics", "climate", "lightning", "archaeology",
)
RESIDENTIAL_KINDS = ("urban", "village")
RESTORATION_MODES = ("natural", "assisted", "reconstruction", "reuse")
DAMAGE_TYPES = ("excavation", "dumping", "subsidence")

_NAME = _c("name", "名称", "Name", aliases=("名称", "名字", "NAME", "Name", "mc", "MC"))
_STATUS_INFRA = _c("status", "状态", "Status", allowed=INFRA_STATUS,
                   aliases=("状态", "建设状态", "STATUS", "zt", "ZT"))
# infrastructure projects (roads, water, power, gas): the project a feature belongs to
_PROJECT = (
    _c("project_id", "项目编号", "Project ID", aliases=("项目编号", "工程编号", "PROJECT_ID")),
    _c("planned_date", "计划建成日期", "Planned completion", "date",
       aliases=("计划建成日期", "计划完工日期", "计划竣工日期", "PLANNED_DATE")),
)
PROJECT_KINDS = ("road", "water", "power", "gas", "other")

CATALOG: dict[str, LayerSpec] = {
    "zones": LayerSpec(
        "zones", "开发区", "Development zones", "polygon",
        (
            _c("zone_id", "开发区编号", "Zone ID", required=True,
               aliases=("开发区编号", "园区编号", "编号", "ZONE_ID", "kfqbh")),
            _c("name", "名称", "Name", required=True,
               aliases=("名称", "开发区名称", "园区名称", "NAME", "mc")),
            _c("kind", "类型", "Kind", allowed=ZONE_KINDS, aliases=("类型", "开发区类型", "KIND")),
            _c("level", "级别", "Level", aliases=("级别", "等级", "LEVEL")),
        ),
        id_column="zone_id",
        style={"color": "#6a3d9a", "weight": 2, "fillOpacity": 0.05, "dashArray": "6 4"},
    ),
    "parcels": LayerSpec(
        "parcels", "标准地", "Standard-land parcels", "polygon",
        (
            _c("parcel_id", "地块编号", "Parcel ID", required=True,
               aliases=("地块编号", "地块号", "宗地编号", "编号", "PARCEL_ID", "dkbh", "DKBH")),
            _NAME,
            _c("land_use", "用地性质", "Land use",
               aliases=("用地性质", "用地类型", "用途", "地类", "LAND_USE", "yddm")),
            _c("area_ha", "面积（公顷）", "Area (ha)", "float",
               aliases=("面积", "面积公顷", "面积_公顷", "AREA_HA", "mj"), unit="ha"),
            _c("supply_status", "供应状态", "Supply status", allowed=SUPPLY_STATUS,
               aliases=("供应状态", "供地状态", "SUPPLY")),
            _c("industry", "产业", "Industry",
               aliases=("产业", "产业类型", "行业", "拟引进产业", "INDUSTRY")),
            _c("site_leveled", "场地平整", "Site levelled", "bool",
               aliases=("场地平整", "是否平整", "LEVELED")),
            _c("net_land", "净地", "Net land", "bool", aliases=("净地", "是否净地", "NET_LAND")),
            _c("invest_intensity", "投资强度", "Investment intensity", "float",
               aliases=("投资强度", "固定资产投资强度"), unit="万元/亩"),
            _c("far", "容积率", "Floor-area ratio", "float", aliases=("容积率", "FAR")),
            _c("building_coverage", "建筑系数", "Building coverage", "float",
               aliases=("建筑系数", "建筑密度"), unit="%"),
            _c("tax_per_mu", "亩均税收", "Tax per mu", "float", aliases=("亩均税收",),
               unit="万元/亩"),
            _c("energy_per_output", "单位能耗", "Energy per output", "float",
               aliases=("单位能耗", "单位产出能耗"), unit="tce/万元"),
            _c("green_ratio", "绿地率", "Green ratio", "float", aliases=("绿地率",), unit="%"),
            _c("admin_ratio", "行政办公及生活服务设施用地比例", "Administrative and living "
               "facilities share", "float",
               aliases=("行政办公及生活服务设施用地比例", "行政办公及生活服务设施用地所占比重",
                        "行政办公用地比例"), unit="%"),
            _c("zone_id", "开发区编号", "Zone ID", aliases=("所属开发区", "开发区编号")),
        ),
        id_column="parcel_id",
        style={"color": "#444444", "weight": 1, "fillOpacity": 0.6},
    ),
    "mines": LayerSpec(
        "mines", "矿山修复图斑", "Mine restoration sites", "polygon",
        (
            _c("site_id", "图斑编号", "Site ID", required=True,
               aliases=("图斑编号", "图斑号", "编号", "SITE_ID", "tbbh", "TBBH")),
            _c("stage", "阶段", "Stage", required=True, allowed=MINE_STAGES,
               aliases=("阶段", "治理阶段", "修复阶段", "STAGE")),
            _c("name", "矿山名称", "Mine name", aliases=("矿山名称", "名称", "NAME")),
            _c("mineral", "矿种", "Mineral", aliases=("矿种", "开采矿种", "MINERAL")),
            _c("damage_type", "损毁类型", "Damage type", allowed=DAMAGE_TYPES,
               aliases=("损毁类型", "DAMAGE")),
            _c("mode", "修复模式", "Restoration mode", allowed=RESTORATION_MODES,
               aliases=("修复模式", "治理模式", "MODE")),
            _c("county", "县区", "County", aliases=("县区", "所属县区", "县", "COUNTY")),
            _c("area_ha", "损毁面积（公顷）", "Damaged area (ha)", "float",
               aliases=("面积", "损毁面积", "AREA_HA"), unit="ha"),
            _c("restored_area_ha", "已修复面积（公顷）", "Restored area (ha)", "float",
               aliases=("已修复面积", "修复面积"), unit="ha"),
            _c("start_date", "开工日期", "Start date", "date", aliases=("开工日期", "开始日期")),
            _c("target_date", "计划完成日期", "Target date", "date",
               aliases=("计划完成日期", "目标日期", "完成期限")),
            _c("budget_wan", "预算（万元）", "Budget (10k CNY)", "float",
               aliases=("预算", "总投资", "预算万元"), unit="万元"),
            _c("spent_wan", "已支出（万元）", "Spent (10k CNY)", "float",
               aliases=("已支出", "已完成投资"), unit="万元"),
        ),
        id_column="site_id",
        style={"color": "#8c510a", "weight": 1, "fillOpacity": 0.55},
    ),
    "water": LayerSpec(
        "water", "供水", "Water supply network", "line_or_point",
        (
            _c("kind", "类型", "Kind", required=True, allowed=WATER_KINDS,
               aliases=("类型", "设施类型", "KIND")),
            _STATUS_INFRA,
            *_PROJECT,
            _c("diameter_mm", "管径（毫米）", "Diameter (mm)", "float",
               aliases=("管径", "DN"), unit="mm"),
            _c("system", "供水系统", "System", aliases=("供水系统", "所属系统", "SYSTEM")),
            _NAME,
        ),
        style={"color": "#1f78b4", "weight": 3},
    ),
    "roads": LayerSpec(
        "roads", "道路", "Roads", "line",
        (
            _c("class", "道路等级", "Class", aliases=("道路等级", "等级", "CLASS")),
            _STATUS_INFRA,
            *_PROJECT,
            _NAME,
        ),
        style={"color": "#636363", "weight": 2},
    ),
    "power": LayerSpec(
        "power", "电力", "Power", "line_or_point",
        (
            _c("kind", "类型", "Kind", required=True, allowed=POWER_KINDS,
               aliases=("类型", "设施类型", "KIND")),
            _c("voltage_kv", "电压等级（千伏）", "Voltage (kV)", "float",
               aliases=("电压等级", "电压", "VOLTAGE"), unit="kV"),
            _STATUS_INFRA,
            *_PROJECT,
            _NAME,
        ),
        style={"color": "#e31a1c", "weight": 2},
    ),
    # 通气 (五通一平): lets a city add a gas-distance rule by editing its rulebook only
    "gas": LayerSpec(
        "gas", "燃气", "Gas supply", "line_or_point",
        (
            _c("kind", "类型", "Kind", allowed=GAS_KINDS, aliases=("类型", "设施类型", "KIND")),
            _STATUS_INFRA,
            *_PROJECT,
            _c("pressure", "压力级制", "Pressure class", aliases=("压力级制", "压力")),
            _NAME,
        ),
        style={"color": "#b15928", "weight": 2},
    ),
    "tourism_road": LayerSpec(
        "tourism_road", "太行旅游公路", "Taihang tourism road", "line",
        (
            _c("segment_id", "路段编号", "Segment ID", aliases=("路段编号", "编号")),
            _NAME,
            _STATUS_INFRA,
        ),
        id_column="segment_id",
        style={"color": "#ff7f00", "weight": 4},
    ),
    # residential areas (居住区): setbacks of heavy industry are measured from them
    "residential": LayerSpec(
        "residential", "居住区", "Residential areas", "polygon",
        (
            _NAME,
            _c("kind", "类型", "Kind", allowed=RESIDENTIAL_KINDS,
               aliases=("类型", "居住区类型", "KIND")),
            _STATUS_INFRA,
        ),
        style={"color": "#fb9a99", "weight": 1, "fillOpacity": 0.35},
    ),
    # 交通设施 (optional): what an investor asks "how far is it to …" about
    "transport": LayerSpec(
        "transport", "交通设施", "Transport facilities", "point",
        (
            _c("kind", "设施类型", "Kind", required=True, allowed=TRANSPORT_KINDS,
               aliases=("设施类型", "类型", "KIND")),
            _NAME,
            _STATUS_INFRA,
            _c("route", "所在线路", "Route", aliases=("所在线路", "高速", "ROUTE")),
        ),
        style={"color": "#252525", "radius": 6},
    ),
    "constraints": LayerSpec(
        "constraints", "管控", "Constraint zones", "polygon",
        (
            _c("kind", "管控类型", "Kind", required=True, allowed=CONSTRAINT_KINDS,
               aliases=("管控类型", "类型", "KIND")),
            _NAME,
        ),
        style={"color": "#33a02c", "weight": 1, "fillOpacity": 0.25},
    ),
    "base_stations": LayerSpec(
        "base_stations", "5G基站", "5G base stations", "point",
        (
            _c("radius_m", "覆盖半径（米）", "Coverage radius (m)", "float",
               aliases=("覆盖半径", "半径"), unit="m"),
            _STATUS_INFRA,
            _NAME,
        ),
        style={"color": "#984ea3", "radius": 4},
    ),
    "counties": LayerSpec(
        "counties", "县区", "Counties", "polygon",
        (
            _c("county", "县区", "County", required=True,
               aliases=("县区", "名称", "县", "区县", "COUNTY", "NAME")),
            _c("county_en", "英文名", "English name", aliases=("英文名", "NAME_EN")),
            _c("adcode", "行政区划代码", "Division code", aliases=("行政区划代码", "区划代码",
                                                                 "ADCODE")),
        ),
        id_column="county",
        style={"color": "#252525", "weight": 1.5, "fillOpacity": 0.0},
    ),
    "assessments": LayerSpec(
        "assessments", "区域评估", "Regional assessments", "none",
        (
            _c("scope", "评估范围", "Scope", required=True, allowed=("zone", "parcel"),
               aliases=("评估范围", "范围")),
            _c("scope_id", "范围编号", "Scope ID", required=True,
               aliases=("范围编号", "开发区编号", "地块编号")),
            _c("kind", "评估事项", "Kind", required=True, allowed=ASSESSMENT_KINDS,
               aliases=("评估事项", "评估类型", "类型")),
            _c("status", "状态", "Status", required=True, allowed=ASSESSMENT_STATUS,
               aliases=("状态", "审批状态")),
            _c("approved_on", "批复日期", "Approved on", "date", aliases=("批复日期", "审批日期")),
            _c("valid_until", "有效期至", "Valid until", "date", aliases=("有效期至", "有效期")),
            _c("ref", "批复文号", "Reference", aliases=("批复文号", "文号")),
        ),
    ),
    # planned infrastructure works: what a scenario builds (docs/planning.md)
    "projects": LayerSpec(
        "projects", "基础设施项目", "Infrastructure projects", "none",
        (
            _c("project_id", "项目编号", "Project ID", required=True,
               aliases=("项目编号", "工程编号", "编号", "PROJECT_ID")),
            _c("name", "项目名称", "Name", aliases=("项目名称", "名称", "工程名称", "NAME")),
            _c("kind", "项目类型", "Kind", allowed=PROJECT_KINDS,
               aliases=("项目类型", "类型", "KIND")),
            _c("cost_wan", "投资（万元）", "Cost (10k CNY)", "float",
               aliases=("投资", "总投资", "估算投资", "投资万元"), unit="万元"),
            _c("planned_date", "计划建成日期", "Planned completion", "date",
               aliases=("计划建成日期", "计划完工日期", "计划竣工日期")),
            _c("funded", "资金已落实", "Funded", "bool", aliases=("资金已落实", "已落实资金")),
        ),
        id_column="project_id",
    ),
    # saved what-if scenarios: projects assumed built (layers/planning/saved.py)
    "scenarios": LayerSpec(
        "scenarios", "规划情景", "Scenarios", "none",
        (
            _c("name", "情景名称", "Name", required=True, aliases=("情景名称", "名称")),
            _c("build", "建设项目", "Projects built", aliases=("建设项目", "项目编号")),
            _c("assume_planned", "按计划建成", "Assume planned", "bool",
               aliases=("按计划建成",)),
            _c("note", "说明", "Note", aliases=("说明", "备注")),
        ),
        id_column="name",
    ),
    "inspections": LayerSpec(
        "inspections", "巡查记录", "Inspections", "none",
        (
            _c("site_id", "图斑编号", "Site ID", required=True, aliases=("图斑编号", "编号")),
            _c("date", "巡查日期", "Date", "date", required=True, aliases=("巡查日期", "日期")),
            _c("stage", "阶段", "Stage", required=True, allowed=MINE_STAGES,
               aliases=("阶段", "治理阶段")),
            _c("restored_area_ha", "已修复面积（公顷）", "Restored area (ha)", "float",
               aliases=("已修复面积", "修复面积"), unit="ha"),
            _c("veg_cover_pct", "植被覆盖度（%）", "Vegetation cover (%)", "float",
               aliases=("植被覆盖度", "覆盖度"), unit="%"),
            _c("note", "备注", "Note", aliases=("备注", "说明")),
            _c("recorded_by", "记录人", "Recorded by", aliases=("记录人", "巡查人")),
        ),
    ),
    # after supply (DESIGN "After supply"): one contract per supplied parcel, its yearly
    # performance and the enterprise's commitments (承诺制 items)
    "contracts": LayerSpec(
        "contracts", "供地合同", "Supply contracts", "none",
        (
            _c("parcel_id", "地块编号", "Parcel ID", required=True,
               aliases=("地块编号", "宗地编号", "编号", "PARCEL_ID", "dkbh")),
            _c("enterprise", "企业", "Enterprise",
               aliases=("企业", "企业名称", "受让人", "竞得人", "用地单位", "ENTERPRISE")),
            _c("signed_date", "签约日期", "Signed on", "date",
               aliases=("签约日期", "合同签订日期", "签订日期")),
            _c("handover_date", "交地日期", "Handed over on", "date",
               aliases=("交地日期", "交付日期", "土地交付日期")),
            _c("agreed_start_date", "约定开工日期", "Agreed start", "date", required=True,
               aliases=("约定开工日期", "约定开工时间", "合同开工日期")),
            _c("agreed_completion_date", "约定竣工日期", "Agreed completion", "date",
               required=True, aliases=("约定竣工日期", "约定竣工时间", "合同竣工日期")),
            _c("actual_start_date", "实际开工日期", "Actual start", "date",
               aliases=("实际开工日期", "开工日期", "实际开工时间")),
            _c("actual_completion_date", "实际竣工日期", "Actual completion", "date",
               aliases=("实际竣工日期", "竣工日期", "实际竣工时间")),
            _c("review_date", "达产复核日期", "Review due", "date",
               aliases=("达产复核日期", "复核日期", "达产日期")),
            _c("committed_invest_intensity", "承诺投资强度", "Committed investment intensity",
               "float", aliases=("承诺投资强度", "约定投资强度"), unit="万元/亩"),
            _c("committed_far", "承诺容积率", "Committed FAR", "float",
               aliases=("承诺容积率", "约定容积率")),
            _c("committed_tax_per_mu", "承诺亩均税收", "Committed tax per mu", "float",
               aliases=("承诺亩均税收", "约定亩均税收"), unit="万元/亩"),
            _c("committed_energy_per_output", "承诺单位能耗", "Committed energy per output",
               "float", aliases=("承诺单位能耗", "约定单位能耗"), unit="tce/万元"),
            _c("committed_output_per_mu", "承诺亩均产出", "Committed output per mu", "float",
               aliases=("承诺亩均产出", "约定亩均产出"), unit="万元/亩"),
            _c("delay_reason", "延期原因", "Delay reason",
               aliases=("延期原因", "未开工原因", "说明")),
        ),
        id_column="parcel_id",
    ),
    "performance": LayerSpec(
        "performance", "履约数据", "Performance", "none",
        (
            _c("parcel_id", "地块编号", "Parcel ID", required=True,
               aliases=("地块编号", "宗地编号", "编号", "PARCEL_ID")),
            _c("year", "年度", "Year", "int", required=True, aliases=("年度", "年份", "YEAR")),
            _c("invest_intensity", "投资强度", "Investment intensity", "float",
               aliases=("投资强度", "固定资产投资强度", "实际投资强度"), unit="万元/亩"),
            _c("far", "容积率", "Floor-area ratio", "float", aliases=("容积率", "实际容积率")),
            _c("tax_per_mu", "亩均税收", "Tax per mu", "float",
               aliases=("亩均税收", "实际亩均税收"), unit="万元/亩"),
            _c("energy_per_output", "单位能耗", "Energy per output", "float",
               aliases=("单位能耗", "实际单位能耗"), unit="tce/万元"),
            _c("output_per_mu", "亩均产出", "Output per mu", "float",
               aliases=("亩均产出", "实际亩均产出"), unit="万元/亩"),
        ),
    ),
    "commitments": LayerSpec(
        "commitments", "承诺事项", "Commitments", "none",
        (
            _c("parcel_id", "地块编号", "Parcel ID", required=True,
               aliases=("地块编号", "宗地编号", "编号", "PARCEL_ID")),
            _c("item", "承诺事项", "Item", required=True, aliases=("承诺事项", "承诺内容", "事项")),
            _c("assessment", "对应区域评估", "Assessment", allowed=ASSESSMENT_KINDS,
               aliases=("对应区域评估", "评估事项", "评估类型")),
            _c("due_date", "承诺期限", "Due", "date", required=True,
               aliases=("承诺期限", "到期日期", "期限")),
            _c("fulfilled_date", "履行日期", "Fulfilled on", "date",
               aliases=("履行日期", "完成日期", "兑现日期")),
        ),
    ),
}

LAYER_KINDS: tuple[str, ...] = tuple(k for k, s in CATALOG.items() if not s.is_table)
TABLE_KINDS: tuple[str, ...] = tuple(k for k, s in CATALOG.items() if s.is_table)

ASSESSMENT_LABELS: dict[str, tuple[str, str]] = {
    "mineral_overlay": ("压覆重要矿产资源评估", "Mineral overlay assessment"),
    "eia": ("环境影响评价", "Environmental impact assessment"),
    "energy": ("节能评价", "Energy-saving review"),
    "geohazard": ("地质灾害危险性评估", "Geological hazard assessment"),
    "seismic": ("地震安全性评价", "Seismic safety assessment"),
    "water_resources": ("水资源论证", "Water resources assessment"),
    "soil_water": ("水土保持", "Soil and water conservation"),
    "flood": ("洪水影响评价", "Flood impact assessment"),
    "cultural_relics": ("文物考古", "Cultural relics survey"),
    "archaeology": ("考古调查勘探", "Archaeological survey and exploration"),
    "climate": ("气候可行性论证", "Climate feasibility"),
    "lightning": ("雷电灾害风险评估", "Lightning risk assessment"),
}

STAGE_LABELS: dict[str, tuple[str, str]] = {
    "not_started": ("未治理", "Not started"),
    "approved": ("已立项", "Approved"),
    "in_progress": ("施工中", "In progress"),
    "completed": ("已完工", "Works completed"),
    "accepted": ("已验收", "Accepted"),
    "maintenance": ("管护期", "Maintenance"),
    "closed": ("已销号", "Closed"),
}

# Chinese attribute values that loaders map to the catalogue's English codes.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "status": {"现状": "existing", "已建": "existing", "在建": "under_construction",
               "规划": "planned", "已批准": "approved", "批复": "approved", "承诺": "committed",
               "承诺制": "committed", "待评估": "pending", "未开展": "pending",
               "无需": "not_required"},
    "stage": {v[0]: k for k, v in STAGE_LABELS.items()},
    "kind": {"高新区": "high_tech", "经开区": "econ_tech", "省级": "provincial",
             "生态保护红线": "ecological_redline", "永久基本农田": "basic_farmland",
             "基本农田": "basic_farmland", "洪涝": "flood", "地质灾害": "geohazard",
             "采矿权": "mining_right", "城镇开发边界": "urban_development_boundary",
             "干管": "main", "支管": "branch", "水厂": "plant",
             "原水管": "raw_main", "原水输水管": "raw_main", "输水管": "raw_main",
             "城镇": "urban", "村庄": "village",
             "调压站": "station", "水库": "reservoir", "泵站": "pump", "变电站": "substation",
             "线路": "line", "高速出口": "motorway_exit", "高速公路出口": "motorway_exit",
             "高速出入口": "motorway_exit", "互通立交": "motorway_exit",
             "铁路货场": "rail_freight", "铁路货运站": "rail_freight", "货场": "rail_freight",
             "火车站": "rail_station", "铁路客运站": "rail_station", "机场": "airport",
             "港口": "port",
             **{v[0]: k for k, v in ASSESSMENT_LABELS.items()}},
    "supply_status": {"储备": "reserve", "待供应": "for_supply", "已供应": "supplied",
                      "在建": "under_construction"},
    "scope": {"开发区": "zone", "园区": "zone", "地块": "parcel"},
    "assessment": {v[0]: k for k, v in ASSESSMENT_LABELS.items()},
}


def get_spec(kind: str) -> LayerSpec:
    """Return the spec of a layer kind, or raise ``SchemaError`` listing the known kinds."""
    try:
        return CATALOG[kind]
    except KeyError:
        from gis.errors import SchemaError

        raise SchemaError(
            f"Unknown layer kind {kind!r}.",
            hint=f"Use one of: {', '.join(CATALOG)}.",
            zh=f"未知的图层类型 {kind!r}。",
            hint_zh=f"请使用以下之一：{'、'.join(CATALOG)}。",
        ) from None


def alias_map(spec: LayerSpec, *, truncated: bool = True) -> dict[str, str]:
    """Map every accepted column name (canonical, alias, case variants) to the canonical name.

    With ``truncated`` the Shapefile names of long columns (:func:`truncated_names`) are
    accepted too; an explicit name of the layer always wins over them.
    """
    out: dict[str, str] = {}
    for col in spec.columns:
        for name in (col.name, col.zh, *col.aliases):
            if name:
                out.setdefault(name, col.name)
                out.setdefault(name.lower(), col.name)
    if truncated:
        for short, name in truncated_names(spec).items():
            out.setdefault(short, name)
    return out


def truncated_names(spec: LayerSpec) -> dict[str, str]:
    """Map the first 10 characters of each longer column name to that column.

    A DBF keeps 10 characters of a field name, so a Shapefile carries ``supply_sta`` for
    ``supply_status``. A prefix shared by two columns of the layer is left out (ambiguous).

    Examples
    --------
    >>> truncated_names(CATALOG["parcels"])["supply_sta"]
    'supply_status'
    >>> "committed_" in truncated_names(CATALOG["contracts"])
    False
    """
    owners: dict[str, list[str]] = {}
    for col in spec.columns:
        if len(col.name) > DBF_NAME_LEN:
            owners.setdefault(col.name[:DBF_NAME_LEN].lower(), []).append(col.name)
    return {short: names[0] for short, names in owners.items() if len(names) == 1}
