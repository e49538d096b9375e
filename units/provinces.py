"""Indonesia's 38 provinces with their official codes.

The codes are Kemendagri's wilayah codes, the same as BPS's for the provinces that existed
before 2012 (11 Aceh … 91 Papua); 65 Kalimantan Utara (2012) and the 2022 Papua provinces
(93–96) are Kemendagri's. Names are the forms of Kemendagri's code table: "DKI Jakarta"
(UU 2/2024 renames it Daerah Khusus Jakarta only once the capital moves by Keputusan
Presiden) and "Daerah Istimewa Yogyakarta".

Shipped by the data migration `units/0003_provinces`. A change (a rename, a new province) is
a new data migration that calls `provinces_upsert` again with this table edited.
"""

PROVINCES: tuple[tuple[str, str], ...] = (
    ("11", "Aceh"),
    ("12", "Sumatera Utara"),
    ("13", "Sumatera Barat"),
    ("14", "Riau"),
    ("15", "Jambi"),
    ("16", "Sumatera Selatan"),
    ("17", "Bengkulu"),
    ("18", "Lampung"),
    ("19", "Kepulauan Bangka Belitung"),
    ("21", "Kepulauan Riau"),
    ("31", "DKI Jakarta"),
    ("32", "Jawa Barat"),
    ("33", "Jawa Tengah"),
    ("34", "Daerah Istimewa Yogyakarta"),
    ("35", "Jawa Timur"),
    ("36", "Banten"),
    ("51", "Bali"),
    ("52", "Nusa Tenggara Barat"),
    ("53", "Nusa Tenggara Timur"),
    ("61", "Kalimantan Barat"),
    ("62", "Kalimantan Tengah"),
    ("63", "Kalimantan Selatan"),
    ("64", "Kalimantan Timur"),
    ("65", "Kalimantan Utara"),
    ("71", "Sulawesi Utara"),
    ("72", "Sulawesi Tengah"),
    ("73", "Sulawesi Selatan"),
    ("74", "Sulawesi Tenggara"),
    ("75", "Gorontalo"),
    ("76", "Sulawesi Barat"),
    ("81", "Maluku"),
    ("82", "Maluku Utara"),
    ("91", "Papua"),
    ("92", "Papua Barat"),
    ("93", "Papua Selatan"),
    ("94", "Papua Tengah"),
    ("95", "Papua Pegunungan"),
    ("96", "Papua Barat Daya"),
)

OFFICIAL_CODES = frozenset(code for code, _ in PROVINCES)


def provinces_upsert(province_model, table=PROVINCES) -> int:
    """Make the stored provinces match `table` (code, name); return how many rows changed.

    `province_model` is the Province model, or its historical version inside a migration.
    A province is found by its code; failing that, a row stored under its name (any case)
    with a code outside the table takes the official code, so its agencies keep their
    province. A row left holding an official name under another code (a duplicate typed in
    by hand) is renamed "<name> (kode <code>)" rather than merged or deleted: nothing that
    refers to it changes, and it stands out in the admin. Safe to run again.
    """
    rows = list(province_model.objects.all())
    by_code = {p.code: p for p in rows}
    loose = {}  # rows with a code outside the table, by folded name
    for p in rows:
        if p.code not in OFFICIAL_CODES:
            loose.setdefault(p.name.casefold(), p)
    targets = {}  # official code → (row or None, name)
    for code, name in table:
        row = by_code.get(code) or loose.pop(name.casefold(), None)
        targets[code] = (row, name)
    chosen = {id(row) for row, _ in targets.values() if row is not None}
    official_names = {name for _, name in table}
    strays = [p for p in rows if id(p) not in chosen and p.name in official_names]
    moving = [
        (row, code, name)
        for code, (row, name) in targets.items()
        if row is not None and (row.code, row.name) != (code, name)
    ]
    # Free every name and code about to be taken before taking it (a swap must not collide).
    for row in strays:
        row.name = f"{row.name} (kode {row.code})"[:100]
        row.save(update_fields=["name"])
    for row, _code, _name in moving:
        row.name = f"~{row.pk}"
        row.save(update_fields=["name"])
    for row, code, name in moving:
        row.code, row.name = code, name
        row.save(update_fields=["code", "name"])
    missing = [
        province_model(code=code, name=name) for code, (row, name) in targets.items() if row is None
    ]
    province_model.objects.bulk_create(missing)
    return len(strays) + len(moving) + len(missing)
