"""The vendor's generated Python SDK (keyfactor-command-sdk 11.0.0a1, test-only dependency).

What this proves (API-NOTES §13): the simulator accepts the SDK's requests (camelCase bodies,
bare PascalCase query names, the Bearer or Basic header, its own X-Keyfactor-Requested-With) and
answers with the declared status codes and JSON types. The SDK's models read responses leniently,
so a parse proves nothing about field names; those are checked against the spec and recording
elsewhere. Where the SDK cannot parse what the real 25.4.1 server sends (a null InventorySchedule
or Password, enum names), the test shows the recorded real body breaks it in the same way.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from command_v11_client import AuthenticatedClient
from command_v11_client.api.certificate_store import (
    get_certificate_stores,
    get_certificate_stores_id,
    get_certificate_stores_id_inventory,
    post_certificate_stores_certificates_remove,
)
from command_v11_client.api.orchestrator_job import (
    get_orchestrator_jobs_job_history,
    get_orchestrator_jobs_scheduled_jobs,
)
from command_v11_client.models.csscms_data_model_models_certificate_location_specifier import (
    CSSCMSDataModelModelsCertificateLocationSpecifier as Location,
)
from command_v11_client.models.keyfactor_common_scheduling_keyfactor_schedule import (
    KeyfactorCommonSchedulingKeyfactorSchedule as Schedule,
)
from command_v11_client.models.keyfactor_web_keyfactor_api_models_certificate_stores_certificate_store_response import (  # noqa: E501
    KeyfactorWebKeyfactorApiModelsCertificateStoresCertificateStoreResponse as StoreModel,
)
from command_v11_client.models.keyfactor_web_keyfactor_api_models_certificate_stores_job_history_response import (  # noqa: E501
    KeyfactorWebKeyfactorApiModelsCertificateStoresJobHistoryResponse as HistoryModel,
)
from command_v11_client.models.keyfactor_web_keyfactor_api_models_certificate_stores_remove_certificate_request import (  # noqa: E501
    KeyfactorWebKeyfactorApiModelsCertificateStoresRemoveCertificateRequest as RemoveRequest,
)
from kfsim_testlib import DEMO_TP, PASSWORDS, wait_for

RECORDING = json.loads((Path(__file__).with_name("data") / "command-25.4.1.json").read_text())


@pytest.fixture
def bearer(sim):
    with AuthenticatedClient(base_url=sim.api_url, token="sim-test-token") as client:
        yield client


def _no_contract_errors(sim):
    assert [e["contract_errors"] for e in sim.requests_log() if e["contract_errors"]] == []


def test_get_store_and_inventory(sim, bearer, stores):
    resp = get_certificate_stores_id.sync_detailed(stores["k8s"], client=bearer)
    assert resp.status_code == 200
    assert (resp.parsed.client_machine, resp.parsed.storepath) == ("aks-prod", "shop/shop-tls")
    inv = get_certificate_stores_id_inventory.sync_detailed(
        stores["jks"], client=bearer, page_returned=1, return_limit=2
    )
    assert inv.status_code == 200 and [i.name for i in inv.parsed] == ["app-cert", "app-cert-old"]
    assert inv.headers["X-Total-Count"] == "5"
    log = sim.requests_log()
    assert log[0]["headers"]["Authorization"] == "Bearer"
    assert log[1]["params"] == {"PageReturned": ["1"], "ReturnLimit": ["2"]}
    _no_contract_errors(sim)


def test_store_list_null_members_break_the_sdk_as_the_real_server_does(sim, bearer):
    query = 'StorePath -eq "shop/shop-tls"'
    with pytest.raises(AttributeError):
        get_certificate_stores.sync_detailed(client=bearer, query_string=query)
    entry = sim.requests_log()[-1]
    assert entry["status"] == 200 and entry["params"] == {"QueryString": [query]}
    assert entry["response"][0]["Password"] is None
    recorded = next(x for x in RECORDING if x["path_and_query"].startswith("/CertificateStores?"))
    assert recorded["response_body"][0]["Password"] is None
    with pytest.raises(AttributeError):
        StoreModel.from_dict(recorded["response_body"][0])
    _no_contract_errors(sim)


def test_remove_and_watch_job_history_with_int_enums(sim, bearer, stores):
    body = RemoveRequest(
        certificate_stores=[Location(alias=DEMO_TP, certificate_store_id=stores["k8s"])],
        schedule=Schedule(immediate=True),
    )
    resp = post_certificate_stores_certificates_remove.sync_detailed(client=bearer, json_body=body)
    assert resp.status_code == 200 and len(resp.parsed) == 1
    job = resp.parsed[0]
    sent = sim.requests_log()[-1]["body"]
    assert sent == {
        "certificateStores": [{"alias": DEMO_TP, "certificateStoreId": stores["k8s"]}],
        "schedule": {"immediate": True},
    }
    queued = get_orchestrator_jobs_scheduled_jobs.sync_detailed(
        client=bearer, query_string='JobType -eq "Management"'
    )
    assert queued.status_code == 200
    assert [(str(j.id), j.requested) for j in queued.parsed] in ([(job, "sim-test-client")], [])
    sim.config(enum_format="ints")

    def final():
        rows = get_orchestrator_jobs_job_history.sync_detailed(
            client=bearer, query_string=f'JobId -eq "{job}"', sort_field="JobHistoryId"
        )
        assert rows.status_code == 200
        return [r for r in rows.parsed if r.status.value == 3]

    (row,) = wait_for(final, what="completed row")
    assert row.result.value == 2 and str(row.job_id) == job
    _no_contract_errors(sim)


def test_enum_names_break_the_sdk(sim, bearer):
    with pytest.raises(ValueError):
        get_orchestrator_jobs_job_history.sync_detailed(client=bearer, return_limit=1)
    row = sim.requests_log()[-1]["response"][0]
    assert row["Status"] == "Completed"
    assert HistoryModel.from_dict({**row, "Status": 3, "Result": 2}).status.value == 3


def test_basic_auth_through_the_sdk(sim, stores):
    token = base64.b64encode(f"KEYFACTOR\\demo:{PASSWORDS['demo']}".encode()).decode()
    with AuthenticatedClient(base_url=sim.api_url, token=token, prefix="Basic") as client:
        resp = get_certificate_stores_id.sync_detailed(stores["jks"], client=client)
        assert resp.status_code == 200 and resp.parsed.client_machine == "app01.example.test"
    with AuthenticatedClient(base_url=sim.api_url, token="wrong", prefix="Basic") as client:
        assert (
            get_certificate_stores_id.sync_detailed(stores["jks"], client=client).status_code == 401
        )
