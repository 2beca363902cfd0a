"""One-off derivation of src/shumao/reference/data/geo_areas.csv from /work/shared/data."""

import csv
import json
import sys

SHARED = "/work/shared/data"
OUT = sys.argv[1]

PROV = {  # code: (short_zh, name_en, region, extra aliases)
    "11": ("北京", "Beijing", "EAST", ""),
    "12": ("天津", "Tianjin", "EAST", ""),
    "13": ("河北", "Hebei", "EAST", ""),
    "14": ("山西", "Shanxi", "CENTRAL", ""),
    "15": ("内蒙古", "Inner Mongolia", "WEST", "Nei Mongol"),
    "21": ("辽宁", "Liaoning", "NORTHEAST", ""),
    "22": ("吉林", "Jilin", "NORTHEAST", ""),
    "23": ("黑龙江", "Heilongjiang", "NORTHEAST", ""),
    "31": ("上海", "Shanghai", "EAST", ""),
    "32": ("江苏", "Jiangsu", "EAST", ""),
    "33": ("浙江", "Zhejiang", "EAST", ""),
    "34": ("安徽", "Anhui", "CENTRAL", ""),
    "35": ("福建", "Fujian", "EAST", ""),
    "36": ("江西", "Jiangxi", "CENTRAL", ""),
    "37": ("山东", "Shandong", "EAST", ""),
    "41": ("河南", "Henan", "CENTRAL", ""),
    "42": ("湖北", "Hubei", "CENTRAL", ""),
    "43": ("湖南", "Hunan", "CENTRAL", ""),
    "44": ("广东", "Guangdong", "EAST", ""),
    "45": ("广西", "Guangxi", "WEST", ""),
    "46": ("海南", "Hainan", "EAST", ""),
    "50": ("重庆", "Chongqing", "WEST", ""),
    "51": ("四川", "Sichuan", "WEST", ""),
    "52": ("贵州", "Guizhou", "WEST", ""),
    "53": ("云南", "Yunnan", "WEST", ""),
    "54": ("西藏", "Xizang", "WEST", "Tibet"),
    "61": ("陕西", "Shaanxi", "WEST", ""),
    "62": ("甘肃", "Gansu", "WEST", ""),
    "63": ("青海", "Qinghai", "WEST", ""),
    "64": ("宁夏", "Ningxia", "WEST", ""),
    "65": ("新疆", "Xinjiang", "WEST", ""),
    "71": ("台湾", "Taiwan", "", "中国台湾|台湾地区"),
    "81": ("香港", "Hong Kong", "", "中国香港|Hong Kong SAR"),
    "82": ("澳门", "Macao", "", "中国澳门|Macau|Macao SAR"),
}

ETHNIC = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 "
    "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
BARE = ("蒙古", "哈萨克", "柯尔克孜", "锡伯", "塔吉克")  # used without 族 in names


def strip_ethnic(base: str) -> str:
    changed = True
    while changed:
        changed = False
        for e in sorted(ETHNIC, key=len, reverse=True):
            for suf in (e + "族",) + ((e,) if e in BARE else ()):
                if base.endswith(suf) and len(base) - len(suf) >= 2:
                    base = base[: -len(suf)]
                    changed = True
                    break
            if changed:
                break
    return base


def short(name: str) -> str:
    for suf in ("自治州", "自治县", "自治旗"):
        if name.endswith(suf):
            base = strip_ethnic(name[: -len(suf)].removesuffix("各族"))
            return base[:-1] if base.endswith("族") else base
    for suf in ("地区", "林区", "新区", "特区", "盟", "市", "县", "区", "旗"):
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    return name


def read(name: str) -> list[dict[str, str]]:
    with open(f"{SHARED}/{name}", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main() -> None:
    iso = {r["name_zh_CN"]: r for r in read("iso3166/iso3166_2_cn_subdivisions_pycountry.csv")}
    iso["宁夏回族自治区"] = next(
        r for r in read("iso3166/iso3166_2_cn_subdivisions_pycountry.csv") if r["code"] == "CN-NX"
    )
    with open(f"{SHARED}/geo/china_provinces_cn_atlas.geojson", encoding="utf-8") as f:
        pinyin = {ft["properties"]["id"]: ft["properties"]["name"] for ft in json.load(f)["features"]}
    rows = []
    for r in read("china_admin_divisions/gbt2260_province.csv"):
        sh, en, region, extra = PROV[r["province"]]
        i = iso[r["name"]]
        aliases = [a for a in (pinyin[r["code"]], i["name"]) if a != en]
        aliases += [a for a in extra.split("|") if a]
        rows.append([r["code"], r["name"], sh, en, "province", "", region, i["code"],
                     "|".join(dict.fromkeys(aliases))])
    cities = set()
    for r in read("china_admin_divisions/gbt2260_city.csv"):
        if "直辖县级" in r["name"]:
            continue
        cities.add(r["code"])
        pc = r["province"] + "0000"
        rows.append([r["code"], r["name"], short(r["name"]), "", "city", pc,
                     PROV[r["province"]][2], "", ""])
    for r in read("china_admin_divisions/gbt2260_area.csv"):
        cc = r["code"][:4] + "00"
        parent = cc if cc in cities else r["province"] + "0000"
        rows.append([r["code"], r["name"], short(r["name"]), "", "county", parent,
                     PROV[r["province"]][2], "", ""])
    rows.sort(key=lambda x: x[0])
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name_zh", "short_zh", "name_en", "level", "parent", "region",
                    "iso3166_2", "aliases"])
        w.writerows(rows)


main()
