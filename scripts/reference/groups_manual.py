import csv
rows = []
def add(group, codes, status, vf, vt="", note=""):
    for c in codes.split():
        rows.append([group, c, status, vf, vt, note])
# RCEP
add("RCEP", "BRN KHM LAO SGP THA VNM JPN NZL CHN AUS", "member", "2022-01-01", note="entry into force for the first ten parties")
add("RCEP", "KOR", "member", "2022-02-01")
add("RCEP", "MYS", "member", "2022-03-18")
add("RCEP", "IDN", "member", "2023-01-02")
add("RCEP", "PHL", "member", "2023-06-02")
add("RCEP", "MMR", "signatory", "2020-11-15", note="signed 2020-11-15; agreement not in force for Myanmar")
# BRICS
add("BRICS", "BRA RUS IND CHN", "member", "2006-09-20", note="first BRIC foreign ministers' meeting")
add("BRICS", "ZAF", "member", "2010-12-24", note="invited to join in December 2010; first summit as member 2011")
add("BRICS", "EGY ETH IRN ARE", "member", "2024-01-01")
add("BRICS", "IDN", "member", "2025-01-06")
add("BRICS", "SAU", "invited", "", note="invited in 2023; membership not formalised (docs/methods.md §10.3)")
# SCO
add("SCO", "CHN RUS KAZ KGZ TJK UZB", "member", "2001-06-15")
add("SCO", "IND PAK", "member", "2017-06-09")
add("SCO", "IRN", "member", "2023-07-04")
add("SCO", "BLR", "member", "2024-07-04")
# EU (dated membership)
add("EU", "BEL FRA DEU ITA LUX NLD", "member", "1958-01-01", note="founding members (Treaty of Rome in force)")
add("EU", "DNK IRL", "member", "1973-01-01")
add("EU", "GBR", "member", "1973-01-01", "2020-01-31", note="left the EU on 2020-01-31")
add("EU", "GRC", "member", "1981-01-01")
add("EU", "ESP PRT", "member", "1986-01-01")
add("EU", "AUT FIN SWE", "member", "1995-01-01")
add("EU", "CYP CZE EST HUN LVA LTU MLT POL SVK SVN", "member", "2004-05-01")
add("EU", "BGR ROU", "member", "2007-01-01")
add("EU", "HRV", "member", "2013-07-01")
# EU27: fixed composition
add("EU27", "AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT ROU SVK SVN ESP SWE",
    "member", "", note="fixed composition (EU27_2020), applied to every period")
# ASEAN
add("ASEAN", "IDN MYS PHL SGP THA", "member", "1967-08-08", note="Bangkok Declaration")
add("ASEAN", "BRN", "member", "1984-01-07")
add("ASEAN", "VNM", "member", "1995-07-28")
add("ASEAN", "LAO MMR", "member", "1997-07-23")
add("ASEAN", "KHM", "member", "1999-04-30")
add("ASEAN", "TLS", "member", "2025-10-26")
# G20
add("G20", "ARG AUS BRA CAN CHN FRA DEU IND IDN ITA JPN KOR MEX RUS SAU ZAF TUR GBR USA EUU",
    "member", "1999-12-15", note="inaugural G20 finance ministers' meeting, Berlin")
add("G20", "AFU", "member", "2023-09-09", note="African Union admitted as permanent member")
with open("out/_devclass.csv", encoding="utf-8") as f:
    dev = list(csv.reader(f))[1:]
with open("/work/main/src/shumao/reference/data/groupings.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["group", "iso3", "status", "valid_from", "valid_to", "note"])
    w.writerows(rows + dev)
