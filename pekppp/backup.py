"""Backup and restore of a whole installation: the database and every stored file it refers to.

One ZIP archive holds:

- `database.jsonl`: every row of every model, written by Django's own `dumpdata` (JSON lines,
  by primary key, through the base manager so no row is filtered out). Sessions are left
  out (throw-away log-ins). Content types and permissions are in it with their ids: restore
  replaces the ones `migrate` made in the new installation, so no row has to be looked up by
  natural key (which costs `dumpdata` one query per row for every reference to a user).
- `files/<field>/<name>`: every file a `FileField` of a row in that dump names (evidence
  revisions, field-visit photos, generated documents, certificates), read through the field's
  own storage (`field.storage.open`), so local disk and object storage back up alike.
- `manifest.json`: format, portal version, creation time (UTC), database engine, the applied
  migrations per app (with the latest), the row count per model (M2M tables included), and
  the size and SHA-256 of the dump and of every file.

**Consistency.** The counts, the dump and the list of files are read in one transaction: on
PostgreSQL `REPEATABLE READ READ ONLY` (one snapshot for every query, writers go on), on
SQLite the portal's `BEGIN IMMEDIATE` (writers wait until the backup ends). Files are read
while that transaction is open, so the archive holds exactly the files its rows name. Stored
files are written before their row commits, so a name in the snapshot has its file. A file
whose bytes differ from its row's `sha256` (a document rebuilt under the same name during the
backup, or damage on disk) is kept, flagged in the manifest and reported as a warning.

**Why `dumpdata`, not `pg_dump`.** `pg_dump --format=custom` is faster on very large
databases, but it needs a client binary no older than the server, works only on PostgreSQL,
and restores a schema rather than rows into a migrated installation. The portal's data (tens
of thousands of results, their answers and evidence rows) dumps in minutes with `dumpdata`;
the archive is the same on SQLite (`make run`) and PostgreSQL and moves between them; loading
it (Django's deserializer, one INSERT per row) runs inside one transaction, so a failed
restore leaves nothing behind; and the same code is tested on both databases. Point-in-time
recovery of a large PostgreSQL server stays the job of the database's own tools.

**Restore** accepts only an empty installation: a database migrated to exactly the archive's
migrations (`manage.py migrate`, nothing loaded) and storages without any of the archive's
files. It checks, before changing anything, that the archive is a portal backup, that no
migration in it is unknown to this code (an archive of a newer portal) and that the target's
migrations match it, that every member's SHA-256 matches the manifest, and that the target is
empty. Then, in one transaction, it loads the dump (rows that migrations create, such as
content types, permissions, the shipped award and provinces, are replaced by the archive's),
checks the row counts and that the archive holds every file the rows name, and writes the
files through the storage API. On any error the transaction rolls back and the files written
so far are deleted.
"""

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files import File
from django.core.files.storage import Storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.db.migrations.loader import MigrationLoader

FORMAT = "pekppp-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "database.jsonl"
CHUNK = 1 << 20

# Throw-away log-ins: never in the archive.
EXCLUDED = {"sessions.session"}
# Tables `migrate` fills (its post-migrate step, or a data migration): an empty installation
# holds these rows, and restore replaces them with the archive's (dependants first).
SEEDED_BY_MIGRATIONS = (
    "auth.permission",
    "contenttypes.contenttype",
    "reports.award",
    "units.province",
)


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, for an operator."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    rows: int
    models: int
    files: int
    bytes: int
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreSummary:
    rows: int
    models: int
    files: int
    bytes: int
    created_at: str


def backed_up_models(*, include_auto_created: bool = False) -> list[type[models.Model]]:
    """The models whose rows the archive holds, in a stable order (M2M tables on request:
    they are restored through their parents' rows, but counted)."""
    connection = connections[DEFAULT_DB_ALIAS]
    return [
        model
        for model in apps.get_models(include_auto_created=include_auto_created)
        if model._meta.label_lower not in EXCLUDED
        and model._meta.managed
        and not model._meta.proxy
        and model._meta.can_migrate(connection)
        and router.allow_migrate_model(DEFAULT_DB_ALIAS, model)
    ]


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.count()
        for model in backed_up_models(include_auto_created=True)
    }


def _applied_migrations() -> dict[str, list[str]]:
    loader = MigrationLoader(connections[DEFAULT_DB_ALIAS], ignore_no_migrations=True)
    applied: dict[str, list[str]] = {}
    for app_label, name in loader.applied_migrations:
        if app_label in loader.migrated_apps:
            applied.setdefault(app_label, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _portal_version() -> str:
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    for model in backed_up_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                yield model, model_field


def _field_label(model: type[models.Model], model_field: models.Field) -> str:
    return f"{model._meta.label_lower}.{model_field.name}"


def _field_by_label(label: str) -> models.FileField:
    app_label, model_name, field_name = label.split(".")
    model_field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    if not isinstance(model_field, models.FileField):
        raise LookupError(label)
    return model_field


@dataclass
class _StoredFile:
    name: str
    storage: Storage
    fields: list[str]
    row_sha256: set[str]

    @property
    def member(self) -> str:
        return f"files/{self.fields[0]}/{self.name}"


def _referenced_files() -> list[_StoredFile]:
    """Every (storage, name) a row names, once however many rows or fields share it, with
    the checksums those rows record (when the model keeps one beside its file)."""
    found: dict[tuple[int, str], _StoredFile] = {}
    for model, model_field in _file_fields():
        has_sha = any(f.name == "sha256" for f in model._meta.concrete_fields)
        columns = [model_field.attname] + (["sha256"] if has_sha else [])
        rows = (
            model._base_manager.exclude(**{model_field.attname: ""})
            .exclude(**{f"{model_field.attname}__isnull": True})
            .order_by(model_field.attname)
            .values_list(*columns)
        )
        label = _field_label(model, model_field)
        for name, *sha in rows.iterator():
            stored = found.setdefault(
                (id(model_field.storage), name),
                _StoredFile(name, model_field.storage, [], set()),
            )
            if label not in stored.fields:
                stored.fields.append(label)
            stored.row_sha256.update(s for s in sha if s)
    return sorted(found.values(), key=lambda s: s.member)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _begin_snapshot() -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
    elif connection.vendor == "sqlite":
        # The transaction (BEGIN IMMEDIATE in the portal's settings) is one snapshot already;
        # a first read makes SQLite take it now.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    else:
        raise BackupError(f"Basis data {connection.vendor} tidak didukung (PostgreSQL/SQLite).")


def backup_write(*, path: Path) -> BackupSummary:
    """Write the archive of the database and its stored files to `path` (a new file).

    Everything is read in one database snapshot; the archive appears under its name only
    when complete (it is written beside it as `<name>.partial` first).
    """
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} sudah ada; pilih nama berkas lain.")
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        raise BackupError("Pencadangan harus berjalan di luar transaksi basis data.")
    partial = path.with_name(path.name + ".partial")
    warnings: list[str] = []
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as archive, transaction.atomic():
            _begin_snapshot()
            counts = _row_counts()
            migrations = _applied_migrations()
            with tempfile.TemporaryDirectory(prefix="pekppp-backup-") as tmp:
                dump = Path(tmp) / DATABASE
                call_command(
                    "dumpdata",
                    *(model._meta.label for model in backed_up_models()),
                    format="jsonl",
                    use_base_manager=True,
                    output=str(dump),
                    verbosity=0,
                )
                database = {
                    "member": DATABASE,
                    "vendor": connection.vendor,
                    "size": dump.stat().st_size,
                    "sha256": _sha256_of(dump),
                }
                archive.write(dump, DATABASE, compress_type=zipfile.ZIP_DEFLATED)
            files = []
            for stored in _referenced_files():
                entry = _archive_file(archive, stored)
                if stored.row_sha256 and stored.row_sha256 != {entry["sha256"]}:
                    entry["differs_from_row"] = True
                    warnings.append(
                        f"{stored.name} ({', '.join(stored.fields)}): SHA-256 berkas "
                        f"{entry['sha256'][:12]}… berbeda dari catatan basis data "
                        f"({', '.join(sorted(s[:12] + '…' for s in stored.row_sha256))}); "
                        "berkas disimpan apa adanya."
                    )
                files.append(entry)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "portal_version": _portal_version(),
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "database": database,
                "latest_migrations": {app: names[-1] for app, names in migrations.items()},
                "migrations": migrations,
                "row_counts": counts,
                "files": files,
            }
            archive.writestr(
                MANIFEST,
                json.dumps(manifest, indent=2, ensure_ascii=False),
                compress_type=zipfile.ZIP_DEFLATED,
            )
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupSummary(
        path=path,
        rows=sum(counts.values()),
        models=len(counts),
        files=len(files),
        bytes=sum(entry["size"] for entry in files),
        warnings=warnings,
    )


def _archive_file(archive: zipfile.ZipFile, stored: _StoredFile) -> dict[str, Any]:
    """Copy one stored file into the archive (uncompressed: PDFs, images and office files
    are compressed already), returning its manifest entry."""
    digest, size = hashlib.sha256(), 0
    try:
        with (
            stored.storage.open(stored.name, "rb") as source,
            archive.open(stored.member, "w", force_zip64=True) as target,
        ):
            for chunk in iter(lambda: source.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
    except OSError as exc:
        raise BackupError(
            f"Berkas {stored.name} ({', '.join(stored.fields)}) tidak dapat dibaca dari "
            f"penyimpanan: {exc}. Tidak ada arsip yang ditulis."
        ) from exc
    return {
        "member": stored.member,
        "name": stored.name,
        "fields": stored.fields,
        "size": size,
        "sha256": digest.hexdigest(),
    }


# --- Restore -------------------------------------------------------------------------------


def _read_manifest(archive: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    not_ours = f"{path}: bukan arsip cadangan portal PEKPPP"
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError(f"{not_ours} (tidak ada {MANIFEST}).") from None
    except (ValueError, zipfile.BadZipFile) as exc:
        raise BackupError(f"{not_ours} ({MANIFEST} tidak terbaca: {exc}).") from exc
    required = {"database", "migrations", "latest_migrations", "row_counts", "files"}
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not required <= manifest.keys()
    ):
        raise BackupError(f"{not_ours} ({MANIFEST} berformat lain).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path}: format arsip versi {manifest.get('format_version')} tidak dikenal "
            f"(kode ini membaca versi {FORMAT_VERSION})."
        )
    for entry in manifest["files"]:
        name = PurePosixPath(entry["name"])
        if name.is_absolute() or ".." in name.parts:
            raise BackupError(f"{path}: nama berkas tidak sah di manifes: {entry['name']!r}.")
    return manifest


def _check_migrations(manifest: dict[str, Any]) -> None:
    loader = MigrationLoader(connections[DEFAULT_DB_ALIAS], ignore_no_migrations=True)
    archived = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    unknown = sorted(archived - set(loader.disk_migrations))
    if unknown:
        listed = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            "Arsip dibuat oleh versi portal yang lebih baru: migrasi yang tidak dikenal kode "
            f"ini: {listed}. Pasang versi portal yang sama atau lebih baru, lalu ulangi."
        )
    applied = {
        (app, name) for app, name in loader.applied_migrations if app in loader.migrated_apps
    }
    if applied != archived:
        commands = "; ".join(
            f"manage.py migrate {app} {latest}"
            for app, latest in sorted(manifest["latest_migrations"].items())
            if {(a, n) for a, n in applied if a == app} != {(a, n) for a, n in archived if a == app}
        )
        raise BackupError(
            "Migrasi basis data tujuan berbeda dari migrasi arsip. Samakan dulu "
            f"({commands or 'manage.py migrate'}), pulihkan, lalu jalankan manage.py migrate."
        )


def _verify_members(archive: zipfile.ZipFile, manifest: dict[str, Any], path: Path) -> None:
    """Read every member the manifest names and compare its size and SHA-256."""
    for entry in [manifest["database"], *manifest["files"]]:
        digest, size = hashlib.sha256(), 0
        try:
            with archive.open(entry["member"]) as member:
                for chunk in iter(lambda m=member: m.read(CHUNK), b""):
                    digest.update(chunk)
                    size += len(chunk)
        except KeyError:
            raise BackupError(
                f"{path}: arsip tidak lengkap: {entry['member']} tidak ada. "
                "Tidak ada yang dipulihkan."
            ) from None
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise BackupError(
                f"{path}: arsip rusak: {entry['member']} tidak terbaca ({exc}). "
                "Tidak ada yang dipulihkan."
            ) from exc
        if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
            raise BackupError(
                f"{path}: arsip rusak: checksum SHA-256 {entry['member']} tidak cocok dengan "
                "manifes. Tidak ada yang dipulihkan."
            )


def _target_storages(entry: dict[str, Any]) -> list[Storage]:
    """The distinct storages of the fields that name a file, as configured here."""
    storages: list[Storage] = []
    for label in entry["fields"]:
        try:
            storage = _field_by_label(label).storage
        except (LookupError, ValueError):
            raise BackupError(f"Kolom berkas {label} dari arsip tidak ada di kode ini.") from None
        if all(storage is not seen for seen in storages):
            storages.append(storage)
    return storages


def _check_empty(manifest: dict[str, Any]) -> None:
    through = {
        model._meta.label_lower
        for model in backed_up_models(include_auto_created=True)
        if model._meta.auto_created
    }
    occupied = [
        f"{label} ({count} baris)"
        for label, count in _row_counts().items()
        if count and label not in SEEDED_BY_MIGRATIONS and label not in through
    ]
    if occupied:
        raise BackupError(
            "Instalasi tujuan tidak kosong: "
            + ", ".join(occupied[:5])
            + (f" dan {len(occupied) - 5} tabel lain" if len(occupied) > 5 else "")
            + ". Pulihkan hanya ke basis data baru yang sudah di-migrate tanpa data lain."
        )
    existing = [
        entry["name"]
        for entry in manifest["files"]
        if any(storage.exists(entry["name"]) for storage in _target_storages(entry))
    ]
    if existing:
        raise BackupError(
            f"Instalasi tujuan tidak kosong: {len(existing)} berkas arsip sudah ada di "
            f"penyimpanan (misalnya {existing[0]}). Pulihkan hanya ke penyimpanan kosong."
        )


def backup_restore(*, path: Path) -> RestoreSummary:
    """Bring an archive of `backup_write` back into an empty installation: all or nothing.

    Every check (format, migrations, checksums, emptiness) runs before anything is written;
    the load, the count check and the file writes run in one transaction, and files written
    before a failure are deleted again.
    """
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise BackupError(
            f"{path}: bukan arsip cadangan portal PEKPPP (bukan berkas ZIP)."
        ) from None
    except OSError as exc:
        raise BackupError(f"{path}: tidak dapat dibaca ({exc.strerror}).") from exc
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        raise BackupError("Pemulihan harus berjalan di luar transaksi basis data.")
    with archive:
        manifest = _read_manifest(archive, path)
        _check_migrations(manifest)
        _verify_members(archive, manifest, path)
        _check_empty(manifest)
        written: list[tuple[Storage, str]] = []
        try:
            with transaction.atomic():
                _load_database(archive)
                _check_loaded(manifest)
                for entry in manifest["files"]:
                    for storage in _target_storages(entry):
                        try:
                            with archive.open(entry["member"]) as member:
                                content = File(member, name=entry["name"])
                                content.size = entry["size"]
                                saved = storage.save(entry["name"], content)
                        except OSError as exc:
                            raise BackupError(
                                f"Berkas {entry['name']} tidak dapat ditulis ({exc}). "
                                "Tidak ada yang dipulihkan."
                            ) from exc
                        written.append((storage, saved))
                        if saved != entry["name"]:
                            raise BackupError(
                                f"Berkas {entry['name']} tersimpan dengan nama lain ({saved}): "
                                "penyimpanan tujuan tidak kosong."
                            )
        except BaseException:
            for storage, name in written:
                with contextlib.suppress(OSError):
                    storage.delete(name)
            raise
        finally:
            # Content types now have the archive's ids (or, after a failure, the old ones).
            ContentType.objects.clear_cache()
    counts = manifest["row_counts"]
    return RestoreSummary(
        rows=sum(counts.values()),
        models=len(counts),
        files=len(manifest["files"]),
        bytes=sum(entry["size"] for entry in manifest["files"]),
        created_at=manifest["created_at"],
    )


def _load_database(archive: zipfile.ZipFile) -> None:
    """Insert the dump's rows as they are (raw: no `auto_now`, no `save()` logic).

    Like `loaddata`, but each row is one INSERT (`loaddata` tries an UPDATE first, which
    doubles the statements): the target is known to be empty. Foreign keys are checked at
    commit (both databases create them deferred), so the order of rows does not matter.
    """
    for label in SEEDED_BY_MIGRATIONS:
        apps.get_model(label)._base_manager.all().delete()
    loaded: set[type[models.Model]] = set()
    with archive.open(DATABASE) as member:
        stream = io.TextIOWrapper(member, encoding="utf-8")
        for row in serializers.deserialize("jsonl", stream, using=DEFAULT_DB_ALIAS):
            row.save(using=DEFAULT_DB_ALIAS, force_insert=True)
            loaded.add(type(row.object))
    connection = connections[DEFAULT_DB_ALIAS]
    # New rows must continue after the restored ids (PostgreSQL sequences).
    if statements := connection.ops.sequence_reset_sql(no_style(), sorted(loaded, key=str)):
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _check_loaded(manifest: dict[str, Any]) -> None:
    counts = _row_counts()
    differing = [
        f"{label}: {counts.get(label)} ≠ {expected}"
        for label, expected in manifest["row_counts"].items()
        if counts.get(label) != expected
    ]
    if differing:
        raise BackupError(
            "Jumlah baris setelah pemulihan berbeda dari manifes ("
            + "; ".join(differing[:5])
            + "). Tidak ada yang dipulihkan."
        )
    archived = {entry["name"] for entry in manifest["files"]}
    if missing := sorted({stored.name for stored in _referenced_files()} - archived):
        raise BackupError(
            f"Arsip tidak memuat {len(missing)} berkas yang dirujuk basis data "
            f"(misalnya {missing[0]}). Tidak ada yang dipulihkan."
        )
