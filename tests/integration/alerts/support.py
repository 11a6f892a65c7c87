"""Test helpers for the alerts tests: a real SMTP server (aiosmtpd, STARTTLS or implicit TLS, AUTH)
on 127.0.0.1 with a throw-away certificate authority, and configurations written to tmp_path.

Shared by tests/unit/alerts and tests/integration/alerts; nothing here fakes the mail server:
messages go over a real TCP connection through TLS and login, and the server can be told to
refuse (4xx) or be stopped (connection refused) to exercise retries.
"""

from __future__ import annotations

import datetime as dt
import email
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd import smtp as aiosmtp
from aiosmtpd.controller import Controller

SMTP_USER = "radar"
SMTP_PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class CertificateFiles:
    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_certificates(folder: Path) -> CertificateFiles:
    """A CA and a server certificate for 127.0.0.1 (an IP SAN: clients check the address they dialled).

    Made with the ``cryptography`` package when it is installed, else with the ``openssl`` command.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = CertificateFiles(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    try:
        import cryptography  # noqa: F401
    except ImportError:
        _make_with_openssl(folder, paths)
    else:
        _make_with_cryptography(paths)
    return paths


def _make_with_cryptography(paths: CertificateFiles) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smokkelradar test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def _make_with_openssl(folder: Path, paths: CertificateFiles) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("neither the cryptography package nor the openssl command is available")
    ca_key, request, extensions = folder / "ca.key", folder / "server.csr", folder / "server.ext"
    extensions.write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    )
    for argv in (
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(ca_key),
            "-out",
            str(paths.ca_file),
            "-days",
            "2",
            "-subj",
            "/CN=smokkelradar test CA",
        ],
        [
            openssl,
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(paths.key_file),
            "-out",
            str(request),
            "-subj",
            "/CN=127.0.0.1",
        ],
        [
            openssl,
            "x509",
            "-req",
            "-in",
            str(request),
            "-CA",
            str(paths.ca_file),
            "-CAkey",
            str(ca_key),
            "-CAcreateserial",
            "-out",
            str(paths.cert_file),
            "-days",
            "2",
            "-extfile",
            str(extensions),
        ],
    ):
        subprocess.run(argv, check=True, capture_output=True)


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    def header(self, name: str) -> str | None:
        value = self.message.get(name)
        return None if value is None else str(value).strip()

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return str(part.get_content()) if isinstance(part, EmailMessage) else ""

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return str(part.get_content()) if isinstance(part, EmailMessage) else ""


@dataclass
class MailServerState:
    received: list[Received] = field(default_factory=list)
    refusing: bool = False  # answer 451 to DATA: "try again later"
    logins: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)


class _Handler:
    def __init__(self, state: MailServerState) -> None:
        self.state = state

    # aiosmtpd's hook names are fixed: handle_<SMTP verb>.
    async def handle_DATA(  # noqa: N802
        self, server: aiosmtp.SMTP, session: aiosmtp.Session, envelope: aiosmtp.Envelope
    ) -> str:
        if self.state.refusing:
            return "451 4.3.0 Mail server busy, try again later"
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode()
        message = email.message_from_bytes(data, policy=default_policy)
        assert isinstance(message, EmailMessage)
        with self.state.lock:
            self.state.received.append(
                Received(str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos], message)
            )
        return "250 OK queued"


def _authenticator(state: MailServerState) -> Any:
    def check(
        server: aiosmtp.SMTP, session: aiosmtp.Session, envelope: aiosmtp.Envelope, mechanism: str, data: Any
    ) -> aiosmtp.AuthResult:
        # aiosmtpd hands over bytes, not str.
        if isinstance(data, aiosmtp.LoginPassword):
            state.logins.append(data.login)
            ok = data.login == SMTP_USER.encode() and data.password == SMTP_PASSWORD.encode()
            # handled=False: aiosmtpd then answers 535 itself (handled=True would leave the client waiting).
            return aiosmtp.AuthResult(success=ok, handled=False)
        return aiosmtp.AuthResult(success=False, handled=False)

    return check


class LocalMailServer:
    """aiosmtpd on 127.0.0.1: ``tls`` is "starttls" (AUTH only after STARTTLS) or "implicit"."""

    def __init__(
        self, certificates: CertificateFiles, tls: str = "starttls", port: int | None = None
    ) -> None:
        self.certificates = certificates
        self.tls = tls
        self.port = port or free_port()
        self.state = MailServerState()
        self._controller: Controller | None = None

    def start(self) -> None:
        context = self.certificates.server_context()
        options: dict[str, Any] = {
            "authenticator": _authenticator(self.state),
            "auth_required": True,
            # With implicit TLS the whole connection is encrypted, but aiosmtpd only knows about
            # STARTTLS, so it must not demand it before AUTH.
            "auth_require_tls": self.tls != "implicit",
            # PLAIN only: smtplib would fall back to LOGIN after a refusal, which stalls with aiosmtpd.
            "auth_exclude_mechanism": ["LOGIN"],
        }
        if self.tls == "implicit":
            controller = Controller(
                _Handler(self.state),
                hostname="127.0.0.1",
                port=self.port,
                ssl_context=context,
                server_hostname="127.0.0.1",
                **options,
            )
        else:
            controller = Controller(
                _Handler(self.state),
                hostname="127.0.0.1",
                port=self.port,
                tls_context=context,
                require_starttls=True,
                **options,
            )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        return self.state.messages()


SOURCES = """sources:
  - name: test-feed
    kind: feed
    feed_url: http://127.0.0.1:9/feed.xml
    schedule: {every: 1h, jitter: 30s}
  - name: test-board
    kind: feed
    feed_url: http://127.0.0.1:9/board.xml
    schedule: {cron: "15 6 * * 1", jitter: 0s}
"""


def write_config(
    folder: Path,
    *,
    es_url: str,
    prefix: str,
    smtp_port: int,
    searches: str,
    smtp_tls: str = "starttls",
    sources: str | None = None,
) -> Path:
    """A complete configuration under ``folder``; returns the path of its radar.yaml."""
    for sub in ("sources", "keywords", "alerts"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "radar.yaml").write_text(
        f"""elasticsearch:
  url: {es_url}
  index_prefix: {prefix}
smtp:
  host: 127.0.0.1
  port: {smtp_port}
  tls: {smtp_tls}
  username: {SMTP_USER}
  sender: radar@test.invalid
  timeout_seconds: 5
mdt_mailbox: mdt@test.invalid
analysts_mailbox: analysts@test.invalid
user_agent: smokkelradar-tests/0.1
data:
  base: data
timezone: Europe/Amsterdam
""",
        encoding="utf-8",
    )
    (folder / "sources" / "test.yaml").write_text(
        sources or SOURCES,
        encoding="utf-8",
    )
    (folder / "alerts" / "searches.yaml").write_text(searches, encoding="utf-8")
    return folder / "radar.yaml"
