"""Reading an app certificate credential: PEM private key + certificate, checked to belong together."""

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization


class CertificateProblem(ValueError):
    """What is wrong, and with which part: "private_key" or "certificate"."""

    def __init__(self, message: str, part: str):
        super().__init__(message)
        self.part = part


@dataclass(frozen=True)
class CertificateCredential:
    private_key_pem: str
    certificate_pem: str
    thumbprint: str  # SHA-1 hex, as Entra shows it and MSAL sends it (x5t)
    not_after: datetime
    subject: str


def certificate_credential_load(private_key_pem: str, certificate_pem: str) -> CertificateCredential:
    try:
        private_key = serialization.load_pem_private_key(private_key_pem.strip().encode(), password=None)
    except TypeError as exc:
        raise CertificateProblem(
            "The private key is protected by a password. Export it without a password (PEM, unencrypted).",
            "private_key",
        ) from exc
    except ValueError as exc:
        raise CertificateProblem(
            "This is not a PEM private key. Paste the text starting with -----BEGIN PRIVATE KEY-----.",
            "private_key",
        ) from exc
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.strip().encode())
    except ValueError as exc:
        raise CertificateProblem(
            "This is not a PEM certificate. Paste the text starting with -----BEGIN CERTIFICATE-----.",
            "certificate",
        ) from exc
    public_format = (serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    if private_key.public_key().public_bytes(*public_format) != certificate.public_key().public_bytes(*public_format):
        raise CertificateProblem("The private key does not belong to this certificate.", "private_key")
    return CertificateCredential(
        private_key_pem=private_key_pem.strip() + "\n",
        certificate_pem=certificate_pem.strip() + "\n",
        thumbprint=certificate.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303 - Entra's thumbprint is SHA-1
        not_after=certificate.not_valid_after_utc,
        subject=certificate.subject.rfc4514_string(),
    )
