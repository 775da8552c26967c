"""What the district scripts in tools/ share: the household rule, WKB and coordinate helpers,
GeoPackage writing and the GDAL check (tools/build-sample-districts, tools/build-real-districts,
tools/perturb-district, tools/quality). Importing it installs tools/requirements-tools.txt once
when a package is missing.
"""

import functools
import importlib
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REQUIREMENTS = REPO / "tools" / "requirements-tools.txt"


def import_dependencies():
    """Imports the PyPI packages, installing tools/requirements-tools.txt once if one is missing."""
    names = ("numpy", "shapely", "pyproj", "pyogrio")
    try:
        return [importlib.import_module(name) for name in names]
    except ImportError as missing:
        if os.environ.get("GRIDWEAVE_DEPS_INSTALLED"):
            sys.exit(f"error: {missing}; install with: python3 -m pip install -r {REQUIREMENTS}")
        print(f"==> {missing.name} is missing: installing {REQUIREMENTS.relative_to(REPO)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-r", str(REQUIREMENTS)], check=True)
        os.environ["GRIDWEAVE_DEPS_INSTALLED"] = "1"
        os.execv(sys.executable, [sys.executable, *sys.argv])


np, shapely, pyproj, pyogrio = import_dependencies()
from pyogrio.raw import read as ogr_read, write as ogr_write  # noqa: E402, F401

#: Household estimate, the same rule as the engine's `--estimate-households`
#: (Sources/DistrictModel/Estimation/HouseholdEstimation.swift).
FLOOR_HEIGHT_M = 3.0
DEFAULT_FLOORS = 6
EFFICIENCY = 0.75
DWELLING_SIZE_M2 = 90.0


#: OSM building values that are dwellings whatever else is tagged.
RESIDENTIAL_BUILDINGS = {"apartments", "residential", "house", "detached", "terrace", "dormitory",
                         "semidetached_house"}
COMMERCIAL_BUILDINGS = {"commercial", "retail", "office", "kiosk", "hotel", "supermarket", "shop", "mall",
                        "bank", "store", "department_store"}
PUBLIC_BUILDINGS = {"public", "school", "university", "college", "kindergarten", "hospital", "church",
                    "cathedral", "chapel", "mosque", "temple", "shrine", "place_of_worship", "civic",
                    "government", "museum", "train_station", "transportation", "townhall", "library",
                    "fire_station", "embassy", "arts_centre", "theatre", "sports_hall", "stadium",
                    "attraction"}
INDUSTRIAL_BUILDINGS = {"industrial", "warehouse", "factory", "manufacture", "utility", "service",
                        "construction", "communications_tower", "transformer_tower", "garage", "garages"}
COMMERCIAL_AMENITIES = {"restaurant", "cafe", "pub", "bar", "fast_food", "bank", "marketplace", "cinema",
                        "nightclub", "pharmacy", "fuel"}

#: OSM highway -> road class of the data contract.
ROAD_CLASSES = {
    **dict.fromkeys(["motorway", "trunk", "primary", "motorway_link", "trunk_link", "primary_link"], "arterial"),
    **dict.fromkeys(["secondary", "tertiary", "secondary_link", "tertiary_link"], "secondary"),
    **dict.fromkeys(["residential", "unclassified", "living_street", "road"], "branch"),
    "service": "service",
    **dict.fromkeys(["footway", "path", "cycleway", "pedestrian", "steps", "track", "trail", "bridleway",
                     "corridor", "platform", "elevator", "pier"], "path"),
}


# --- Numbers ---------------------------------------------------------------------------------

def half_up(value):
    """Rounds half up, as the engine does (floor(x + 0.5)); Python's round() goes half to even."""
    return math.floor(value + 0.5)


def positive_number(text):
    """The number in an OSM value such as "6", "3.5" or "12.13 m"; None unless positive."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(?:m)?\s*", str(text))
        if not match:
            return None
        value = float(match.group(1))
    return value if math.isfinite(value) and value > 0 else None


def floors_for(levels, height):
    """Mapped levels if positive, else height / 3 m (at least 1) if known, else the default."""
    levels = positive_number(levels)
    if levels is not None:
        return max(1, half_up(levels))
    height = positive_number(height)
    if height is not None:
        return max(1, half_up(height / FLOOR_HEIGHT_M))
    return DEFAULT_FLOORS


def households_for(area_m2, floors):
    return half_up(area_m2 * floors * EFFICIENCY / DWELLING_SIZE_M2)


# --- WKB, read without GEOS so that footprints GEOS refuses still count -------------------------

def wkb_polygon_rings(data):
    """The polygons of a WKB geometry as lists of rings of (x, y) arrays (points and lines skipped).

    Parsed by hand because some raw footprints hold a ring of two points, which GEOS refuses to
    build; such a ring encloses no area."""
    polygons = []

    def read(offset):
        order = "<" if data[offset] == 1 else ">"
        (code,) = struct.unpack_from(order + "I", data, offset + 1)
        offset += 5
        dims = 2 + bool(code & 0x80000000) + bool(code & 0x40000000)
        if code & 0x20000000:  # EWKB SRID
            offset += 4
        code &= 0x0FFFFFFF
        dims += {0: 0, 1: 1, 2: 1, 3: 2}[code // 1000]
        code %= 1000

        def points(offset):
            (count,) = struct.unpack_from(order + "I", data, offset)
            values = np.frombuffer(data, dtype=order + "f8", count=count * dims, offset=offset + 4)
            return values.reshape(count, dims)[:, :2], offset + 4 + 8 * dims * count

        if code == 1:
            return offset + 8 * dims
        if code == 2:
            return points(offset)[1]
        if code == 3:
            (count,) = struct.unpack_from(order + "I", data, offset)
            offset += 4
            rings = []
            for _ in range(count):
                ring, offset = points(offset)
                rings.append(ring)
            polygons.append(rings)
            return offset
        if code in (4, 5, 6, 7):
            (count,) = struct.unpack_from(order + "I", data, offset)
            offset += 4
            for _ in range(count):
                offset = read(offset)
            return offset
        raise ValueError(f"WKB geometry type {code} is not supported")

    read(0)
    return polygons


def measured_footprint(wkb):
    """The footprint the engine measures (Sources/DistrictModel/Reading/GeometryRepair.swift), or
    None when no area is left: open rings closed, rings of fewer than 4 points dropped (a polygon
    whose shell goes loses all its rings), and an invalid result repaired with GEOS make-valid
    (structure method, collapsed parts dropped). Used to measure only: the footprint written to
    the district stays as mapped."""
    polygons = []
    for rings in wkb_polygon_rings(wkb):
        kept = []
        for ring in rings:
            if len(ring) and not np.array_equal(ring[0], ring[-1]):
                ring = np.vstack([ring, ring[:1]])
            if len(ring) < 4:
                if not kept:
                    break
                continue
            kept.append(ring)
        if kept:
            polygons.append(shapely.Polygon(kept[0], kept[1:]))
    if not polygons:
        return None
    geometry = polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)
    if not geometry.is_valid:
        repaired = shapely.make_valid(geometry, method="structure", keep_collapsed=False)
        parts = [part for part in shapely.get_parts(repaired) if part.geom_type in ("Polygon", "MultiPolygon")]
        parts = [polygon for part in parts for polygon in shapely.get_parts(part) if not polygon.is_empty]
        if not parts:
            return None
        geometry = parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
    return geometry


def wkb_type(wkb):
    order = "<" if wkb[0] == 1 else ">"
    return struct.unpack_from(order + "I", wkb, 1)[0] % 1000


def promoted(wkb):
    """A single Polygon or LineString WKB wrapped as a one-part Multi* of the same bytes."""
    single = wkb_type(wkb)
    if single not in (2, 3):
        return wkb
    return struct.pack("<BII", 1, single + 3, 1) + wkb


def shape_of(wkb):
    """The shapely geometry, or None when GEOS cannot build it."""
    try:
        return shapely.from_wkb(wkb)
    except shapely.errors.GEOSException:
        return None


def centroid_of(wkb, footprint):
    """The footprint's centroid; for one without area, the mean of its points (empty if none)."""
    if footprint is not None:
        return footprint.centroid
    rings = [ring for polygon in wkb_polygon_rings(wkb) for ring in polygon if len(ring)]
    return shapely.Point(np.concatenate(rings).mean(axis=0)) if rings else shapely.Point()


# --- OpenStreetMap tags ----------------------------------------------------------------------

def building_kind(building, amenity=None, shop=None, office=None, yes_is_residential=False):
    building = (building or "yes").lower()
    if building in RESIDENTIAL_BUILDINGS:
        return "residential"
    if building == "yes" and yes_is_residential and not (amenity or shop or office):
        return "residential"
    if building in COMMERCIAL_BUILDINGS or shop or office or amenity in COMMERCIAL_AMENITIES:
        return "commercial"
    if building in PUBLIC_BUILDINGS or amenity:
        return "public"
    if building in INDUSTRIAL_BUILDINGS:
        return "industrial"
    return "other"


def road_class(highway):
    return ROAD_CLASSES.get((highway or "").lower())


# --- Coordinates -----------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def transformer(source, target):
    return pyproj.Transformer.from_crs(f"EPSG:{source}", f"EPSG:{target}", always_xy=True)


def reprojected(geometry, source, target):
    if source == target:
        return geometry
    convert = transformer(source, target)
    return shapely.transform(geometry, lambda x, y: convert.transform(x, y), interleaved=False)


def working_epsg(lon, lat):
    """The engine's metric CRS for data centred here (mirrors WorkingCRS.epsg): inside China the
    CGCS2000 3-degree Gauss-Krüger zone of the nearest central meridian (a tie goes east), EPSG
    4534-4554; elsewhere the WGS 84 UTM zone."""
    if 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271:
        zone = math.floor((lon - 75) / 3 + 0.5)  # Swift .toNearestOrAwayFromZero; lon > 75 here
        return 4534 + min(max(zone, 0), 20)
    zone = min(max(math.floor((lon + 180) / 6), 0), 59) + 1
    return (32600 if lat >= 0 else 32700) + zone


def natural_key(text):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(text))]


def unique_ids(features):
    """Gives repeated ids (tile-merge fragments) a suffix, in input order: 177931018, 177931018-2."""
    seen = {}
    for feature in features:
        base = feature["id"]
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            candidate = f"{base}-{seen[base]}"
            while candidate in seen:
                seen[base] += 1
                candidate = f"{base}-{seen[base]}"
            seen[candidate] = 1
            feature["id"] = candidate
    return features


def read_geojson(path):
    with open(path, encoding="utf-8") as file:
        return json.load(file)["features"]


def faces_of(area, lines):
    """The faces the lines cut the area into (a polygonal coverage of it), largest first."""
    noded = shapely.union_all([area.boundary, *lines])
    faces = [face for face in shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
             if area.contains(face.point_on_surface())]
    return sorted(faces, key=lambda face: (-face.area, face.bounds))



# --- Writing ---------------------------------------------------------------------------------

def write_layers(path, epsg, layers):
    """Writes [(layer, WKBs, [(field, "int" or "str", values)], "Polygon" etc.)] to a temporary
    GeoPackage and renames it into place; a layer with no features is left out. The same layers
    give the same file, byte for byte (the GeoPackage's dates are pinned)."""
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2000-01-01T00:00:00.000Z"})
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".gpkg", dir=path.parent)
    os.close(handle)
    os.unlink(temporary)
    try:
        first = True
        for layer, geometries, fields, single in layers:
            if not geometries:
                continue  # optional layers the extract has nothing for are left out
            types = {wkb_type(wkb) for wkb in geometries}
            multi = bool(types - {1, 2, 3})
            geometry_type = ("Multi" if multi else "") + single
            if multi:
                geometries = [promoted(wkb) for wkb in geometries]
            data, masks = [], []
            for _, kind, values in fields:
                mask = np.array([value is None for value in values])
                if kind == "int":
                    data.append(np.array([0 if value is None else value for value in values], dtype="int32"))
                else:
                    data.append(np.array(["" if value is None else value for value in values], dtype=object))
                masks.append(mask)
            ogr_write(temporary, np.array(geometries, dtype=object), data, [name for name, _, _ in fields],
                      field_mask=masks, layer=layer, driver="GPKG", geometry_type=geometry_type,
                      crs=f"EPSG:{epsg}", append=not first,
                      dataset_options={"VERSION": "1.2"} if first else None,
                      layer_options={"SPATIAL_INDEX": "YES"})
            first = False
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def ogrinfo_check(path):
    """Opens the file with the system's GDAL (ogrinfo) when there is one: it must not warn."""
    if not shutil.which("ogrinfo"):
        return "ogrinfo not found: skipped the GDAL check"
    result = subprocess.run(["ogrinfo", "-al", "-so", str(path)], capture_output=True, text=True)
    if result.returncode != 0 or result.stderr.strip():
        raise SystemExit(f"error: ogrinfo on {path}: {result.stderr.strip() or result.returncode}")
    layers = re.findall(r"Layer name: (\S+)\nGeometry: ([^\n]+)\nFeature Count: (\d+)", result.stdout)
    return "   ogrinfo: " + ", ".join(f"{layer} {kind} {count}" for layer, kind, count in layers)

