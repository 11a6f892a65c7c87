"""Building smokkelradar's Elasticsearch plugin with the JDK's javac and jar, no Gradle.

The Java sources live beside this module (``plugin/src``); they are compiled against the jars
of the distribution they are installed into, so the plugin always matches the server exactly.
A hash of the sources is stored with the installed plugin: it is rebuilt when the sources
change and skipped otherwise.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from indexer.node.settings import ES_VERSION, PLUGIN_NAME
from indexer.node.toolchain import Java
from radar import __version__
from radar.errors import Code, RadarError
from radar.logs import get_logger

log = get_logger("indexer.node")

PLUGIN_SOURCE_DIR = Path(__file__).parent / "plugin"
DESCRIPTOR = "plugin-descriptor.properties"
HASH_FILE = ".source-sha256"
BUILD_TIMEOUT_S = 300


def java_sources(source_dir: Path = PLUGIN_SOURCE_DIR) -> list[Path]:
    return sorted((source_dir / "src").rglob("*.java"))


def source_digest(source_dir: Path = PLUGIN_SOURCE_DIR) -> str:
    """SHA-256 over the descriptor, every Java file (name and content) and the versions filled in."""
    digest = hashlib.sha256(f"{ES_VERSION}\0{__version__}\0".encode())
    for path in [source_dir / DESCRIPTOR, *java_sources(source_dir)]:
        digest.update(path.relative_to(source_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def render_descriptor(template: str, es_version: str = ES_VERSION, plugin_version: str = __version__) -> str:
    """Fill in the descriptor; Elasticsearch loads a plugin only when the versions match its own."""
    rendered = template.replace("@ES_VERSION@", es_version).replace("@PLUGIN_VERSION@", plugin_version)
    if "@" in "".join(line for line in rendered.splitlines() if not line.startswith("#")):
        raise RadarError(Code.ES_PLUGIN_BUILD_FAILED, f"unfilled placeholder left in {DESCRIPTOR}")
    return rendered


def javac_command(java: Java, distribution: Path, classes_dir: Path, sources: list[Path]) -> list[str]:
    return [
        str(java.javac),
        "--release",
        "17",
        "-encoding",
        "UTF-8",
        "-Xlint:all",
        "-cp",
        f"{distribution / 'lib'}/*",
        "-d",
        str(classes_dir),
        *[str(source) for source in sources],
    ]


def jar_command(java: Java, jar_file: Path, classes_dir: Path) -> list[str]:
    return [str(java.jar), "--create", "--file", str(jar_file), "-C", str(classes_dir), "."]


def ensure_plugin(distribution: Path, java: Java, source_dir: Path = PLUGIN_SOURCE_DIR) -> Path:
    """Install the plugin into ``<distribution>/plugins/``; rebuild only when the sources changed."""
    installed = distribution / "plugins" / PLUGIN_NAME
    digest = source_digest(source_dir)
    hash_file = installed / HASH_FILE
    if hash_file.is_file() and hash_file.read_text().strip() == digest:
        return installed
    log.info("building the %s plugin", PLUGIN_NAME, extra={"javac": str(java.javac)})
    with tempfile.TemporaryDirectory(prefix="smokkelradar-plugin-") as scratch:
        work = Path(scratch)
        classes = work / "classes"
        package = work / PLUGIN_NAME
        classes.mkdir()
        package.mkdir()
        _run(javac_command(java, distribution, classes, java_sources(source_dir)), "javac")
        _run(jar_command(java, package / f"{PLUGIN_NAME}.jar", classes), "jar")
        template = (source_dir / DESCRIPTOR).read_text(encoding="utf-8")
        (package / DESCRIPTOR).write_text(render_descriptor(template), encoding="utf-8")
        (package / HASH_FILE).write_text(digest + "\n")
        for path in (package, *package.iterdir()):
            # Readable by the unprivileged user the node may run as.
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(installed, ignore_errors=True)
        installed.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(package), installed)
    return installed


def _run(command: list[str], tool: str) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RadarError(Code.ES_PLUGIN_BUILD_FAILED, f"{tool} failed to run: {error}") from error
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise RadarError(
            Code.ES_PLUGIN_BUILD_FAILED,
            f"{tool} failed (exit {result.returncode}) building {PLUGIN_NAME} "
            f"from {PLUGIN_SOURCE_DIR}:\n{output}",
        )
