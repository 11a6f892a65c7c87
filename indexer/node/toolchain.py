"""Finding the Java and Maven the node needs, and describing them when something fails.

Elasticsearch 8.14 runs on Java 17 to 23: it still installs a security manager, which
Java 24 removed, so a newer default JDK (this machine has Temurin 25) must not be picked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from radar.errors import Code, RadarError

MIN_JAVA = 17
MAX_JAVA = 23
# Where Debian and Temurin packages put JDKs; searched after the environment variables.
JVM_ROOT = Path("/usr/lib/jvm")

_VERSION_RE = re.compile(r'version "(\d+)(?:\.(\d+))?')


@dataclass(frozen=True)
class Java:
    home: Path
    major: int
    banner: str

    @property
    def javac(self) -> Path:
        return self.home / "bin" / "javac"

    @property
    def jar(self) -> Path:
        return self.home / "bin" / "jar"


def java_major_version(version_output: str) -> int | None:
    """The major version from ``java -version`` output (``1.8.0`` counts as 8)."""
    match = _VERSION_RE.search(version_output)
    if match is None:
        return None
    major = int(match.group(1))
    if major == 1 and match.group(2) is not None:
        return int(match.group(2))
    return major


def java_home_candidates(environ: dict[str, str], jvm_root: Path = JVM_ROOT) -> list[Path]:
    """JDK homes in order of preference: ES_JAVA_HOME, JAVA_HOME, then installed Java 17s, then the rest."""
    candidates: list[Path] = []
    for variable in ("ES_JAVA_HOME", "JAVA_HOME"):
        if environ.get(variable):
            candidates.append(Path(environ[variable]))
    if jvm_root.is_dir():
        installed = sorted(p for p in jvm_root.iterdir() if p.is_dir() and not p.is_symlink())
        candidates += [p for p in installed if "17" in p.name] + [p for p in installed if "17" not in p.name]
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(on_path).resolve().parent.parent)
    unique: list[Path] = []
    for candidate in candidates:
        if candidate not in unique:
            unique.append(candidate)
    return unique


def probe_java(home: Path) -> Java | None:
    """Run ``<home>/bin/java -version``; None when there is no working java there."""
    java = home / "bin" / "java"
    if not java.is_file():
        return None
    try:
        result = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    banner = (result.stderr or result.stdout).strip()
    major = java_major_version(banner)
    if result.returncode != 0 or major is None:
        return None
    return Java(home=home, major=major, banner=banner.splitlines()[0] if banner else "")


def choose_java(candidates: Iterable[Path]) -> Java:
    """The first candidate with a JDK Elasticsearch 8.14 runs on, and javac/jar to build our plugin."""
    rejected: list[str] = []
    for home in candidates:
        java = probe_java(home)
        if java is None:
            rejected.append(f"{home}: no working bin/java")
        elif not MIN_JAVA <= java.major <= MAX_JAVA:
            rejected.append(f"{home}: Java {java.major} (Elasticsearch 8.14 needs {MIN_JAVA}-{MAX_JAVA})")
        elif not (java.javac.is_file() and java.jar.is_file()):
            rejected.append(f"{home}: Java {java.major} without javac/jar (install the JDK, not the JRE)")
        else:
            return java
    tried = "; ".join(rejected) or "no JDK found"
    raise RadarError(
        Code.ES_JAVA_MISSING,
        f"no Java {MIN_JAVA} JDK for Elasticsearch ({tried}). "
        "Install it with `apt-get install openjdk-17-jdk-headless` or set ES_JAVA_HOME.",
    )


def find_java() -> Java:
    return choose_java(java_home_candidates(dict(os.environ)))


def find_maven() -> Path:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RadarError(
            Code.ES_MAVEN_MISSING,
            "Maven (mvn) is not on PATH; it fetches Elasticsearch from Maven Central once. "
            "Install it with `apt-get install maven`.",
        )
    return Path(mvn)


def describe_toolchain() -> str:
    """Java and Maven versions as found, for failure reports; never raises."""
    lines: list[str] = []
    try:
        java = find_java()
        lines.append(f"Java: {java.banner} ({java.home})")
    except RadarError as error:
        lines.append(f"Java: {error.message}")
    mvn = shutil.which("mvn")
    if mvn is None:
        lines.append("Maven: not found on PATH")
    else:
        try:
            result = subprocess.run(
                [mvn, "-v", "-B"], capture_output=True, text=True, timeout=60, check=False
            )
            first = (result.stdout.strip().splitlines() or ["(no output)"])[0]
            lines.append(f"Maven: {_strip_ansi(first)} ({mvn})")
        except (OSError, subprocess.TimeoutExpired) as error:
            lines.append(f"Maven: {mvn} did not answer: {error}")
    return "\n".join(lines)


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
