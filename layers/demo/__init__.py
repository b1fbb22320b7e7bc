"""The Changzhi demo workspace: real county boundaries, everything else synthetic.

``make_demo`` builds every layer, table and raster in memory (pure, seeded);
``build_demo`` writes them as a workspace folder (docs/workspace.md).
Only the 12 county boundaries are real (``layers/data/changzhi_counties.geojson``,
see ``ATTRIBUTION.md``); zones, parcels, infrastructure, constraints, mines,
inspections and rasters are invented but placed plausibly: the three zones at
their approximate real places, the Taihang mountains rising in the east, coal
mines in the coal counties, limestone quarries in the mountain counties.

Each generator draws from its own random stream (``seed``, stream number), so
``--parcels N`` changes the parcels layer only and the same seed gives the same
content. Parcels are cut from a jittered grid of blocks between the zone roads;
``N`` above the zones' capacity adds a grid of parcels in the surrounding basin
(for benchmarks; they sit away from the designed infrastructure).

What the default rulebook (``layers/readiness/rules/changzhi.toml``) finds, and why:

- **ready** — most of 长治高新区 (CZGX): every road, water branch and 10 kV
  feeder is existing, the ground is levelled (DEM flattened), all six regional
  assessments approved and valid until 2029-12-31, indicators above the
  industry floors, net land.
- **ready_with_commitments** — most of 长治经开区 (CZJK): the same, but its
  energy-saving review is ``committed`` (承诺制, allowed by the rulebook).
- **not_ready**, each for its own reason:

  * 潞城经开区 (CZLC): the zone's geohazard assessment expired on 2024-12-31;
    three parcels carry a renewed parcel-level geohazard assessment and are
    ready.
  * CZGX northern expansion (top two rows): the upper row has only *planned*
    water branches (> 100 m to an existing pipe); in its eastern half the road
    is still under construction too (> 50 m to an existing road).
  * CZGX west edge: a basic-farmland patch reaches into two or three parcels.
  * CZGX north-east corner: the zone boundary is cut diagonally, so parcels
    there are < 95 % inside; two parcels east of the zone are outside it.
  * CZJK east edge: the foothills of the Taihang (slope > 5° from the DEM);
    the mountain road there is only planned.
  * CZJK south-west: a river's ecological red line crosses a few parcels; a
    mining right and an unrestored (not started) mine site reach into others.
  * A few parcels with ``net_land`` false or investment intensity below the
    industry's floor.

- **incomplete** — parcels whose FAR or building coverage is not set yet (nor
  their planned tax or energy, contract conditions that are not judged before
  supply), or whose ``industry`` is empty (the indicators rule is ``unknown``).

Mines (restoration): 60 sites at every stage in the coal and limestone
counties; histories in ``inspections`` (one stage moving backwards with a note,
one restored area above the site area, one site not inspected since 2024-03);
overdue targets before 2025-06-30 and between then and 2026; NDVI 2020/2025 in
which restored sites green up, bare sites stay near 0.1 and three accepted or
closed sites do not green up. The data is a snapshot as of 2025-06-30
(``AS_OF``): check with ``--as-of 2025-06-30`` to see it as designed.
"""

from __future__ import annotations

from layers.demo._common import AS_OF, DEFAULT_PARCELS, DEFAULT_SEED
from layers.demo.assessments import NATIONAL_ASSESSMENTS as NATIONAL_ASSESSMENTS
from layers.demo.build import (
    COUNTIES_FILE,
    build_demo,
    is_demo_workspace,
    load_counties,
    make_demo,
    summary_lines,
    write_demo,
)
from layers.demo.build import DEFAULT_RULES as DEFAULT_RULES
from layers.demo.build import MARKER as MARKER
from layers.demo.containers import DemoData, DemoRaster, DemoSummary
from layers.demo.mines import STAGE_COUNTS as STAGE_COUNTS
from layers.demo.parcels import indicator_bounds

__all__ = [
    "AS_OF",
    "COUNTIES_FILE",
    "DEFAULT_PARCELS",
    "DEFAULT_SEED",
    "DemoData",
    "DemoRaster",
    "DemoSummary",
    "build_demo",
    "indicator_bounds",
    "is_demo_workspace",
    "load_counties",
    "make_demo",
    "summary_lines",
    "write_demo",
]
