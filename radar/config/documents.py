"""Read one YAML file: keep its positions, refuse secrets, fill in ``${NAME}`` from the environment.

The result holds two views of the file: ruamel's round-trip tree, which knows the line of
every key and list item, and plain Python data for pydantic. Problems found while reading
(syntax, secrets, unset variables) are reported with file and line, and the places they
concern are remembered so validation does not report them a second time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError

from radar.config.positions import Loc, format_key_path, line_of
from radar.config.problems import ConfigProblem
from radar.config.secrets import has_url_password, is_secret_key, secret_key_message
from radar.errors import Code

ENV_PREFIX = "SMOKKELRADAR_"
# ${NAME} is replaced by $SMOKKELRADAR_NAME; $${NAME} stays as the text ${NAME}.
_PLACEHOLDER = re.compile(r"\$(\$?)\{([^}]*)\}")
_VARIABLE = re.compile(r"[A-Z][A-Z0-9_]*")


@dataclass
class Document:
    path: Path
    tree: Any  # ruamel round-trip nodes: positions
    data: Any  # plain dicts, lists and scalars with ${NAME} filled in: what pydantic validates
    readable: bool = False  # parsed as YAML (an empty file is readable; its data is None)
    problems: list[ConfigProblem] = field(default_factory=list)
    # Places already reported while reading; validation errors at or below them are dropped.
    reported: list[Loc] = field(default_factory=list)

    def problem(self, loc: Loc, message: str, code: Code, line: int | None = None) -> None:
        self.problems.append(
            ConfigProblem(self.path, line or line_of(self.tree, loc), format_key_path(loc), message, code)
        )
        self.reported.append(loc)

    def already_reported(self, loc: Loc) -> bool:
        return any(loc[: len(done)] == done for done in self.reported)


def _syntax_message(error: MarkedYAMLError) -> str:
    if isinstance(error, DuplicateKeyError):
        match = re.search(r'found duplicate key "(.*?)"', str(error.problem))
        key = match.group(1) if match else "?"
        return f"YAML syntax error: duplicate key '{key}' (each key may appear once in a mapping)"
    message = f"YAML syntax error: {error.problem}"
    if error.context and error.context_mark is not None:
        message += f" ({error.context} that starts at line {error.context_mark.line + 1})"
    if "\\t" in str(error.problem) or "\t" in str(error.problem):
        message += " (indent with spaces, not tabs)"
    return message


def read_document(path: Path, environ: Mapping[str, str] | None = None) -> Document:
    """Parse ``path``; problems are in ``.problems`` (``.data`` is None when the file is unusable)."""
    doc = Document(path, None, None)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        doc.problems.append(ConfigProblem(path, None, "", "file not found", Code.CONFIG_MISSING_FILE))
        return doc
    except UnicodeDecodeError as error:
        doc.problems.append(
            ConfigProblem(path, 1, "", f"not UTF-8 text (byte {error.start})", Code.CONFIG_YAML_SYNTAX)
        )
        return doc
    try:
        doc.tree = YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        doc.problems.append(ConfigProblem(path, line, "", _syntax_message(error), Code.CONFIG_YAML_SYNTAX))
        return doc
    doc.readable = True
    env = os.environ if environ is None else environ
    doc.data = _plain(doc, doc.tree, (), env)
    return doc


def _plain(doc: Document, node: Any, loc: Loc, env: Mapping[str, str]) -> Any:
    """Copy a ruamel node into plain Python values, checking secrets and filling placeholders."""
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            name = str(key)
            if not loc and name.startswith("x-"):
                continue  # top-level x-... keys only hold YAML anchors to reuse (&selectors ... *selectors)
            if is_secret_key(name):
                doc.problem((*loc, name), secret_key_message(loc, name), Code.CONFIG_SECRET_IN_YAML)
                continue  # dropped so it is not also reported as an unknown key
            result[name] = _plain(doc, value, (*loc, name), env)
        return result
    if isinstance(node, list):
        return [_plain(doc, value, (*loc, index), env) for index, value in enumerate(node)]
    if isinstance(node, str):
        return _substitute(doc, str(node), loc, env)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node  # None, dates and timestamps are already plain


def _substitute(doc: Document, text: str, loc: Loc, env: Mapping[str, str]) -> str:
    reported = len(doc.problems)

    def fill(match: re.Match[str]) -> str:
        escaped, name = match.group(1), match.group(2)
        if escaped:
            return "${" + name + "}"
        variable = ENV_PREFIX + name
        if not _VARIABLE.fullmatch(name):
            doc.problem(
                loc,
                f"bad placeholder ${{{name}}}: write ${{NAME}} with capitals, digits and '_' "
                f"(it reads {ENV_PREFIX}NAME), or $${{...}} for the literal text",
                Code.CONFIG_MISSING_ENV,
            )
            return match.group(0)
        if is_secret_key(name):
            doc.problem(
                loc,
                f"secrets must not be put into the configuration through ${{{name}}}: "
                f"smokkelradar reads {variable} itself when it needs it",
                Code.CONFIG_SECRET_IN_YAML,
            )
            return match.group(0)
        if variable not in env:
            doc.problem(
                loc,
                f"environment variable {variable} is not set (used here as ${{{name}}})",
                Code.CONFIG_MISSING_ENV,
            )
            return match.group(0)
        value = env[variable]
        # '${DEMO_WEB}/forum/' with DEMO_WEB='http://host/' should not give '//forum/'.
        if value.endswith("/") and text[match.end() : match.end() + 1] == "/":
            value = value[:-1]
        return value

    result = _PLACEHOLDER.sub(fill, text)
    # Checked after filling in, so a placeholder already refused is not reported twice.
    if len(doc.problems) == reported and has_url_password(result):
        doc.problem(
            loc,
            "secrets must not be written in YAML: this URL holds a password; give the user name separately "
            "and the password in the environment",
            Code.CONFIG_SECRET_IN_YAML,
        )
    return result
