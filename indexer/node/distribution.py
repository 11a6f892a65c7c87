"""Fetching the Elasticsearch distribution from Maven Central and unpacking it once.

The zip is copied by Maven (which reuses ``~/.m2`` when it already holds it) into
``<cache>/download/`` and unpacked into ``<cache>/elasticsearch-<version>/``. A marker file
written last makes the step idempotent: a half-unpacked directory from an interrupted run
is thrown away and unpacked again, never used.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from indexer.node.plugin_build import ensure_plugin
from indexer.node.settings import ES_VERSION, MAVEN_ARTIFACT
from indexer.node.toolchain import Java, find_maven
from radar.errors import Code, RadarError
from radar.logs import get_logger

log = get_logger("indexer.node")

UNPACKED_MARKER = ".smokkelradar-unpacked"
ZIP_NAME = f"elasticsearch-{ES_VERSION}.zip"
MAVEN_TIMEOUT_S = 1800


def maven_copy_command(mvn: Path, output_dir: Path) -> list[str]:
    """``mvn dependency:copy`` of the distribution zip into ``output_dir`` (no project needed)."""
    return [
        str(mvn),
        "-B",
        "-q",
        "-Dstyle.color=never",
        "dependency:copy",
        f"-Dartifact={MAVEN_ARTIFACT}",
        f"-DoutputDirectory={output_dir}",
        "-Dtransitive=false",
    ]


@contextmanager
def _cache_lock(cache_dir: Path) -> Iterator[None]:
    """Serialise assembly, so ``make es`` and ``make test`` started together do not race."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        handle = (cache_dir / ".lock").open("w")
    except PermissionError as error:
        raise RadarError(
            Code.ES_PATH_NOT_ACCESSIBLE,
            f"cannot write the Elasticsearch cache {cache_dir} ({error}); "
            "was it assembled by another user? Choose another with --cache-dir",
        ) from error
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_distribution(cache_dir: Path, java: Java) -> Path:
    """The unpacked distribution with our plugin installed; fetches and builds only what is missing."""
    home = cache_dir / f"elasticsearch-{ES_VERSION}"
    with _cache_lock(cache_dir):
        if not (home / UNPACKED_MARKER).is_file():
            archive = _fetch_zip(cache_dir / "download")
            _unpack(archive, home)
        ensure_plugin(home, java)
    return home


def _fetch_zip(download_dir: Path) -> Path:
    archive = download_dir / ZIP_NAME
    if archive.is_file() and zipfile.is_zipfile(archive):
        return archive
    mvn = find_maven()
    download_dir.mkdir(parents=True, exist_ok=True)
    command = maven_copy_command(mvn, download_dir)
    log.info("fetching Elasticsearch %s from Maven Central", ES_VERSION, extra={"artifact": MAVEN_ARTIFACT})
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=MAVEN_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as error:
        raise RadarError(
            Code.ES_FETCH_FAILED, f"Maven did not fetch {MAVEN_ARTIFACT} within {MAVEN_TIMEOUT_S} s"
        ) from error
    if result.returncode != 0 or not zipfile.is_zipfile(archive):
        output = (result.stdout + result.stderr).strip().splitlines()[-20:]
        raise RadarError(
            Code.ES_FETCH_FAILED,
            f"Maven could not fetch {MAVEN_ARTIFACT} (exit {result.returncode}; "
            f"command: {' '.join(command)}):\n" + "\n".join(output),
        )
    return archive


def _unpack(archive: Path, home: Path) -> None:
    """Unpack into a scratch directory beside ``home``, then move it into place."""
    scratch = home.with_name(home.name + ".partial")
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    scratch.mkdir(parents=True)
    log.info("unpacking %s", archive.name, extra={"into": str(home)})
    try:
        with zipfile.ZipFile(archive) as bundle:
            top = extract_with_modes(bundle, scratch)
    except (zipfile.BadZipFile, OSError) as error:
        shutil.rmtree(scratch, ignore_errors=True)
        raise RadarError(Code.ES_FETCH_FAILED, f"cannot unpack {archive}: {error}") from error
    (scratch / top).rename(home)
    shutil.rmtree(scratch, ignore_errors=True)
    (home / UNPACKED_MARKER).write_text(f"{ES_VERSION}\n")


def extract_with_modes(bundle: zipfile.ZipFile, target: Path) -> str:
    """Extract every member keeping its Unix mode (zipfile drops it, and bin/ must stay executable).

    Returns the single top-level directory name. Members that would land outside
    ``target`` are refused rather than trusted.
    """
    tops: set[str] = set()
    root = target.resolve()
    for info in bundle.infolist():
        destination = (target / info.filename).resolve()
        if not destination.is_relative_to(root):
            raise RadarError(Code.ES_FETCH_FAILED, f"zip member {info.filename!r} points outside {target}")
        tops.add(info.filename.split("/", 1)[0])
        bundle.extract(info, target)
        mode = (info.external_attr >> 16) & 0o777
        if mode:
            # Readable for everyone: the node may run as the unprivileged service user.
            destination.chmod(mode | 0o444 | (0o111 if info.is_dir() else 0))
    if len(tops) != 1:
        raise RadarError(
            Code.ES_FETCH_FAILED, f"expected one top-level directory in the zip, found {sorted(tops)}"
        )
    return tops.pop()
