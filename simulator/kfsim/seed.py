"""The deterministic seed: agents, containers, stores, certificates, inventory, users, history.

Everything is derived from fixed strings, so two seeds are byte-identical.
"""

from __future__ import annotations

import uuid

from . import certs
from .clock import parse_iso
from .storetypes import by_name

NS = uuid.UUID("6f1d3c0a-6b0e-4c55-9a43-2f3c5d7e9b10")

DEMO_PASSWORD = "KfSimDemo2025"
TEST_TOKEN = "sim-test-token"
OAUTH_CLIENT_ID = "sim-test-client"
OAUTH_CLIENT_SECRET = "KfSimClientSecret2025"
UNICODE_USER = ("müller", "Grüße-2025")
UNICODE_ALIASES = ["zertifikat-müller", "clé-serveur-été"]
ALL_PERMISSIONS = [
    "/certificate_stores/read/",
    "/certificates/collections/read/",
    "/certificate_stores/schedule/",
    "/agents/management/read/",
]

DEMO_STORES = {
    "iis": "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a01",
    "pem": "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a02",
    "k8s": "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a03",
    "jks": "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a04",
    "adc": "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a05",
}

CONTAINERS = {1: "Web Servers", 2: "Kubernetes", 3: "Java Applications"}
AGENTS = {
    "win": "orch-win01.example.test",
    "linux": "orch-linux01.example.test",
    "aks-prod": "aks-prod-orchestrator",
    "aks-staging": "aks-staging-orchestrator",
    "adc": "orch-win02.example.test",
}
DAILY = {"Daily": {"Time": "2026-01-05T22:30:00Z"}}
HOURLY = {"Interval": {"Minutes": 60}}
IIS_SITES = ["Default Web Site", "Intranet", "API", "Shop"]


def sid(name: str) -> str:
    return str(uuid.uuid5(NS, "store:" + name))


def agent_id(key: str) -> str:
    return str(uuid.uuid5(NS, "agent:" + key))


class _Builder:
    def __init__(self):
        self.certs: dict[str, dict] = {}
        self.by_seed: dict[str, int] = {}
        self.next_cert = certs.FIRST_LEAF_ID
        self.next_item = 3001
        self.stores: list[dict] = []
        self.inventory: dict[str, list] = {}
        for ca in certs.ca_certificates():
            self.certs[str(ca["Id"])] = ca
        demo = certs.demo_certificate(self._new_cert_id())
        self.certs[str(demo["Id"])] = demo
        self.by_seed["demo"] = demo["Id"]

    def _new_cert_id(self) -> int:
        self.next_cert += 1
        return self.next_cert - 1

    def cert(self, seed: str, cn: str, generation: int = 1) -> dict:
        if seed not in self.by_seed:
            c = certs.leaf(self._new_cert_id(), seed, cn, generation)
            self.certs[str(c["Id"])] = c
            self.by_seed[seed] = c["Id"]
        return self.certs[str(self.by_seed[seed])]

    def store(self, store_id, type_name, machine, path, agent, container=None, schedule=DAILY):
        stype = by_name(type_name)
        self.stores.append(
            {
                "Id": store_id,
                "ContainerId": container,
                "ClientMachine": machine,
                "StorePath": path,
                "Type": type_name,
                "CertStoreInventoryJobId": (
                    str(uuid.uuid5(NS, "invjob:" + store_id)) if schedule else None
                ),
                "InventorySchedule": schedule,
                "AgentId": agent_id(agent),
                "HasPassword": stype.password_set,
            }
        )
        self.inventory[store_id] = []
        return store_id

    def deploy(self, store_id: str, alias: str, cert: dict, private_key: bool = True):
        self.inventory[store_id].append(
            {
                "Alias": alias,
                "CertId": cert["Id"],
                "ItemId": self.next_item,
                "PrivateKey": private_key,
            }
        )
        self.next_item += 1

    def deploy_thumbprints(self, store_id: str, prefix: str, count: int, iis_composite=0):
        for n in range(count):
            c = self.cert(f"{prefix}-{n}", f"{prefix}-{n:02d}.example.test", 1 + n % 2)
            alias = c["Thumbprint"]
            if n < iis_composite:
                site = IIS_SITES[n % len(IIS_SITES)]
                alias = f"{alias}:{site}:*:{443 + n % 3}"
            self.deploy(store_id, alias, c)

    def deploy_named(self, store_id: str, prefix: str, names, private_key=True):
        for name in names:
            self.deploy(
                store_id, name, self.cert(f"{prefix}-{name}", f"{name}.example.test"), private_key
            )


def _demo_stores(b: _Builder):
    demo = b.certs[str(b.by_seed["demo"])]
    iis = b.store(DEMO_STORES["iis"], "IISU", "iis01.example.test", "My", "win", 1)
    b.deploy(iis, demo["Thumbprint"], demo)
    b.deploy_thumbprints(iis, "iis01", 7)
    pem = b.store(
        DEMO_STORES["pem"], "RFPEM", "web01.example.test", "/etc/ssl/certs/shop.pem", "linux", 1
    )
    b.deploy(pem, demo["Thumbprint"], demo)
    k8s = b.store(DEMO_STORES["k8s"], "K8STLSSecr", "aks-prod", "shop/shop-tls", "aks-prod")
    b.deploy(k8s, demo["Thumbprint"], demo)
    jks = b.store(
        DEMO_STORES["jks"],
        "RFJKS",
        "app01.example.test",
        "/opt/app/keystore.jks",
        "linux",
        3,
        HOURLY,
    )
    b.deploy_named(jks, "app01", ["app-cert", "app-cert-old", "client-auth", "partner-gateway"])
    b.deploy(jks, "example-root-ca", b.certs[str(certs.ROOT_ID)], private_key=False)
    adc = b.store(DEMO_STORES["adc"], "CitrixAdc", "ns01.example.test", "/nsconfig/ssl", "adc", 1)
    b.deploy_named(
        adc,
        "ns01",
        ["shop-example-test", "api-example-test", "wildcard-example-test", "legacy-portal-2025"],
    )


def _other_stores(b: _Builder):
    for n in range(2, 6):
        machine = f"iis{n:02d}.example.test"
        s = b.store(sid(machine + "/My"), "IISU", machine, "My", "win", 1)
        b.deploy_thumbprints(s, f"iis{n:02d}", 5 + 2 * n, iis_composite=3)
    farm = b.store(sid("iis-farm01/My"), "IISU", "iis-farm01.example.test", "My", "win", 1)
    b.deploy_thumbprints(farm, "farm", 120, iis_composite=60)
    hosting = b.store(sid("iis02/WebHosting"), "IISU", "iis02.example.test", "WebHosting", "win")
    b.deploy_thumbprints(hosting, "hosting", 4, iis_composite=2)
    for n, site in enumerate(["blog", "docs", "status", "mail", "portal", "wiki"], start=2):
        machine = f"web{n:02d}.example.test"
        s = b.store(
            sid(machine),
            "RFPEM",
            machine,
            f"/etc/ssl/certs/{site}.pem",
            "linux",
            1 if n % 2 else None,
        )
        c = b.cert(f"pem-{site}", f"{site}.example.test")
        b.deploy(s, c["Thumbprint"], c)
    bundle = b.store(
        sid("web02/bundle"), "RFPEM", "web02.example.test", "/etc/pki/tls/certs/bundle.pem", "linux"
    )
    b.deploy_thumbprints(bundle, "bundle", 12)
    b.store(
        sid("web08/new-site"),
        "RFPEM",
        "web08.example.test",
        "/etc/ssl/certs/new-site.pem",
        "linux",
        1,
        None,
    )
    payments = b.store(
        sid("aks-prod/payments"), "K8STLSSecr", "aks-prod", "payments/payments-tls", "aks-prod"
    )
    b.deploy_thumbprints(payments, "payments", 1)
    ingress = b.store(
        sid("aks-prod/ingress"),
        "K8STLSSecr",
        "aks-prod",
        "default/ingress-tls",
        "aks-prod",
        None,
        HOURLY,
    )
    b.deploy_thumbprints(ingress, "ingress", 1)
    b.store(
        sid("aks-prod/empty"), "K8STLSSecr", "aks-prod", "shop/empty-tls", "aks-prod", None, None
    )
    staging = b.store(
        sid("aks-staging/payments"),
        "K8STLSSecr",
        "aks-staging",
        "payments/payments-tls",
        "aks-staging",
        2,
        None,
    )
    b.deploy_thumbprints(staging, "staging-payments", 1)
    tomcat = b.store(
        sid("app02/tomcat"),
        "RFJKS",
        "app02.example.test",
        "/opt/tomcat/conf/keystore.jks",
        "linux",
        3,
    )
    b.deploy_named(
        tomcat,
        "app02",
        [
            "tomcat",
            "tomcat-2025",
            "jmx",
            "sso-signing",
            "sso-enc",
            "mq-client",
            "ldaps-client",
            "backup",
        ],
    )
    for alias in UNICODE_ALIASES:  # JKS aliases are free text: UTF-8 end to end
        b.deploy(tomcat, alias, b.cert(f"app02-{alias}", f"{alias}.example.test"))
    kafka = b.store(
        sid("app03/kafka-trust"),
        "RFJKS",
        "app03.example.test",
        "/opt/kafka/ssl/truststore.jks",
        "linux",
        3,
    )
    b.deploy_named(kafka, "app03", [f"partner-{n:02d}" for n in range(1, 61)], private_key=False)
    p12 = b.store(
        sid("app04/client"),
        "RFPkcs12",
        "app04.example.test",
        "/opt/app/certs/client.p12",
        "linux",
        3,
    )
    b.deploy_named(p12, "app04", ["client", "client-previous"])
    der = b.store(
        sid("web09/device"),
        "RFDER",
        "web09.example.test",
        "/etc/ssl/certs/device.der",
        "linux",
        None,
        None,
    )
    b.deploy_thumbprints(der, "device", 1)
    adc2 = b.store(sid("ns02"), "CitrixAdc", "ns02.example.test", "/nsconfig/ssl", "adc", 1)
    b.deploy_named(adc2, "ns02", [f"vip-{n:02d}-example-test" for n in range(1, 11)])


def _history(stores: list[dict]) -> tuple[list[dict], int]:
    """Past inventory runs: a recurring job keeps its JobId and gets one row per run (SAMPLE)."""
    rows, history_id = [], 2101
    for day in (1, 2, 3):
        for store in stores:
            if not store["CertStoreInventoryJobId"]:
                continue
            start = parse_iso(f"2026-12-0{day}T22:30:00Z") + (history_id % 37)
            failed = store["Type"] == "CitrixAdc" and day == 2
            warned = store["Type"] == "IISU" and day == 1 and store["StorePath"] == "WebHosting"
            rows.append(
                {
                    "JobHistoryId": history_id,
                    "JobId": store["CertStoreInventoryJobId"],
                    "StoreId": store["Id"],
                    "Kind": "Inventory",
                    "Schedule": store["InventorySchedule"],
                    "OperationStart": start,
                    "OperationEnd": start + 4 + history_id % 5,
                    "Message": (
                        "Unable to connect to ns01.example.test: connection timed out."
                        if failed
                        else "Site binding for certificate could not be read."
                        if warned
                        else ""
                    ),
                    "Result": 4 if failed else 3 if warned else 2,
                    "Status": 3,
                }
            )
            history_id += 1
    return rows, history_id


def users() -> dict:
    def user(name, password, permissions):
        return {
            "Domain": "KEYFACTOR",
            "Name": name,
            "Password": password,
            "Permissions": permissions,
        }

    entries = [
        user("demo", DEMO_PASSWORD, ALL_PERMISSIONS),
        user(
            "nojobs",
            "KfSimNoJobs2025",
            [p for p in ALL_PERMISSIONS if p != "/agents/management/read/"],
        ),
        user(
            "readonly",
            "KfSimReadOnly2025",
            [p for p in ALL_PERMISSIONS if p != "/certificate_stores/schedule/"],
        ),
        user(*UNICODE_USER, ALL_PERMISSIONS),
    ]
    return {f"{u['Domain']}\\{u['Name']}".lower(): u for u in entries}


def oauth_clients() -> dict:
    return {
        OAUTH_CLIENT_ID: {
            "ClientId": OAUTH_CLIENT_ID,
            "Secret": OAUTH_CLIENT_SECRET,
            "Permissions": list(ALL_PERMISSIONS),
            "Scope": None,
            "Audience": None,
            "TokenLifetime": None,
        }
    }


def build() -> dict:
    b = _Builder()
    _demo_stores(b)
    _other_stores(b)
    history, next_history = _history(b.stores)
    return {
        "schema": 1,
        "agents": {
            agent_id(k): {"AgentId": agent_id(k), "ClientMachine": v} for k, v in AGENTS.items()
        },
        "containers": {str(k): v for k, v in CONTAINERS.items()},
        "stores": b.stores,
        "certs": b.certs,
        "inventory": b.inventory,
        "users": users(),
        "tokens": {TEST_TOKEN: {"Name": OAUTH_CLIENT_ID, "Permissions": ALL_PERMISSIONS}},
        "oauth_clients": oauth_clients(),
        "jobs": [],
        "history": history,
        "behaviours": [],
        "pending_inventory": [],
        "counters": {"history_id": next_history, "item_id": b.next_item, "cert_id": b.next_cert},
    }
