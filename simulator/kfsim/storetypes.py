"""Certificate store types the seed uses, with the alias rules of API-NOTES §9.

Type ids are the simulator's own (custom types are numbered from 102 on a real server, and the
recorded lab had K8STLSSecr = 154, which is kept).
"""

from __future__ import annotations

from dataclasses import dataclass

SECRET = object()  # marks a store property that Command keeps as a secret

CUSTOM_ALIAS = {"Forbidden": 0, "Optional": 1, "Required": 2}

REMOTE_FILE_MISSING = "Alias {alias} does not exist in certificate store {path}."


@dataclass(frozen=True)
class StoreType:
    short_name: str
    type_id: int
    alias_mode: str
    file_based: bool
    missing_alias_fails: bool
    missing_alias_message: str
    properties: tuple
    store_password: bool = False
    # Whether GET /CertificateStores/{id} shows a stored Password secret (the recorded
    # K8STLSSecr store had one although the type takes no store password).
    password_set: bool = False

    @property
    def thumbprint_alias(self) -> bool:
        return self.alias_mode == "Forbidden"

    @property
    def custom_alias_allowed(self) -> int:
        return CUSTOM_ALIAS[self.alias_mode]


_SERVER_CREDS = (("ServerUsername", SECRET), ("ServerPassword", SECRET), ("ServerUseSsl", "true"))
_RF_PROPS = (
    ("LinuxFilePermissionsOnStoreCreation", "600"),
    ("LinuxFileOwnerOnStoreCreation", ""),
    ("SudoImpersonatingUser", ""),
) + _SERVER_CREDS


def _rf(name: str, type_id: int, alias_mode: str, extra: tuple = (), password=False) -> StoreType:
    return StoreType(
        name,
        type_id,
        alias_mode,
        True,
        True,
        REMOTE_FILE_MISSING,
        extra + _RF_PROPS,
        password,
        password,
    )


STORE_TYPES: dict[str, StoreType] = {
    t.short_name: t
    for t in (
        StoreType(
            "IISU",
            103,
            "Forbidden",
            False,
            True,
            "Certificate {alias} was not found in store {path} on {machine}.",
            (("spnwithport", "false"), ("WinRM Protocol", "https"), ("WinRM Port", "5986"))
            + _SERVER_CREDS,
        ),
        _rf(
            "RFPEM",
            105,
            "Forbidden",
            (
                ("IsTrustStore", "false"),
                ("IncludesChain", "true"),
                ("SeparatePrivateKeyFilePath", ""),
                ("IsRSAPrivateKey", "false"),
                ("IgnorePrivateKeyOnInventory", "false"),
            ),
        ),
        _rf("RFJKS", 106, "Required", password=True),
        _rf("RFPkcs12", 107, "Required", password=True),
        _rf("RFDER", 108, "Forbidden", (("SeparatePrivateKeyFilePath", ""),)),
        StoreType(
            "CitrixAdc",
            111,
            "Required",
            False,
            True,
            "Certificate key pair {alias} was not found on {machine}.",
            (("linkToIssuer", "false"),) + _SERVER_CREDS,
        ),
        StoreType(
            "K8STLSSecr",
            154,
            "Forbidden",
            False,
            False,
            "",
            (
                ("KubeSecretType", "tls"),
                ("ServerPassword", SECRET),
                ("ServerUseSsl", "true"),
                ("ServerUsername", SECRET),
            ),
            password_set=True,
        ),
    )
}


def by_name(name: str) -> StoreType:
    return STORE_TYPES[name]
