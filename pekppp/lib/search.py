"""What a name search looks for: the typed words, each with the other ways it is written.

People search for units by the short names they use ("dukcapil lampung selatan", "rsud
metro", "ptsp"), while names are written either way ("Disdukcapil Kab. Lampung Selatan",
"Dinas Kependudukan dan Pencatatan Sipil …"). `search_terms` splits a search into terms,
every one of which must match (somewhere in the unit's, agency's or province's name); a term
is a word or a known long form, and matches when any of its spellings is found, ignoring case.
The queries themselves are built by `units.selectors.name_search_q`, for every search.
"""

import re

# Each row: spellings of one thing, short first. A term written as any of them matches a name
# holding any of them (as a substring: "dukcapil" also finds "Disdukcapil").
SHORT_NAMES: tuple[tuple[str, ...], ...] = (
    ("disdukcapil", "dinas kependudukan dan pencatatan sipil"),
    ("dukcapil", "kependudukan dan pencatatan sipil"),
    ("dpmptsp", "dinas penanaman modal dan pelayanan terpadu satu pintu"),
    ("pmptsp", "penanaman modal dan pelayanan terpadu satu pintu"),
    ("ptsp", "pelayanan terpadu satu pintu"),
    ("dpm", "penanaman modal"),
    ("rsud", "rumah sakit umum daerah"),
    ("rsu", "rumah sakit umum"),
    ("rs", "rumah sakit"),
    ("puskesmas", "pusat kesehatan masyarakat"),
    ("samsat", "sistem administrasi manunggal satu atap"),
    ("dinkes", "dinas kesehatan"),
    ("bpom", "badan pengawas obat dan makanan"),
    ("pom", "pengawas obat dan makanan"),
    ("bpn", "badan pertanahan nasional"),
    ("atr", "agraria dan tata ruang"),
    ("polres", "kepolisian resor"),
    ("polresta", "kepolisian resor kota"),
    ("polda", "kepolisian daerah"),
    ("sim", "surat izin mengemudi"),
    ("skck", "surat keterangan catatan kepolisian"),
    ("uptd", "unit pelaksana teknis daerah"),
    ("upt", "unit pelaksana teknis"),
    ("ulp", "unit layanan pelanggan"),
    ("pln", "perusahaan listrik negara"),
    ("bumn", "badan usaha milik negara"),
    ("kemen", "kementerian"),
    ("kanwil", "kantor wilayah"),
    ("pemkab", "pemerintah kabupaten"),
    ("pemkot", "pemerintah kota"),
    ("pemprov", "pemerintah provinsi"),
    ("kab.", "kabupaten"),
    ("prov.", "provinsi"),
    ("kec.", "kecamatan"),
    ("kel.", "kelurahan"),
)

# Longest phrases first, so "rumah sakit umum daerah" is read before "rumah sakit".
_LONG_FORMS = sorted(
    ((tuple(form.split()), row) for row in SHORT_NAMES for form in row[1:]),
    key=lambda item: -len(item[0]),
)
# A short form is looked up without its dot: "kab" and "kab." are the same word typed.
_SHORT_FORMS = {row[0].rstrip("."): row for row in SHORT_NAMES}
# A spelling the person did not type is searched for only from this length on.
MIN_UNTYPED = 4
# What separates words besides spaces; dots stay (they end "Kab." and sit inside "H.M.").
_SEPARATORS = re.compile(r"[\s,;:()\[\]\"“”'/]+")


def search_terms(search: str) -> tuple[tuple[str, ...], ...]:
    """The terms of `search`, each as its spellings in lower case (the typed one first).

    >>> search_terms("Dukcapil  Lampung")
    (('dukcapil', 'kependudukan dan pencatatan sipil'), ('lampung',))
    """
    words = [w for w in _SEPARATORS.split(search.lower()) if w.strip(".")]
    terms: list[tuple[str, ...]] = []
    i = 0
    while i < len(words):
        for phrase, row in _LONG_FORMS:
            if tuple(words[i : i + len(phrase)]) == phrase:
                terms.append(_spellings(" ".join(phrase), row))
                i += len(phrase)
                break
        else:
            word = words[i]
            row = _SHORT_FORMS.get(word.rstrip("."))
            terms.append(_spellings(word, row) if row else (word,))
            i += 1
    return tuple(dict.fromkeys(terms))  # a word typed twice is one term


def _spellings(typed: str, row: tuple[str, ...]) -> tuple[str, ...]:
    """`typed` and the other spellings of its row that a substring test needs: not one that
    holds another spelling ("kabupaten" adds nothing to "kab"), nor one under four characters
    that was not typed ("rs" would be found inside "Universitas")."""
    spellings = [typed] + [s for s in row if s != typed and len(s) >= MIN_UNTYPED]
    return tuple(s for s in spellings if s == typed or not any(o in s for o in spellings if o != s))
