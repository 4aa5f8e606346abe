"""POST /CertificateStores/Certificates/Remove: validation, binding and the returned job ids."""

from __future__ import annotations

import uuid

import pytest
from kfsim_testlib import DEMO_TP

URL = "/CertificateStores/Certificates/Remove"
K8S = "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a03"
ENTRY = {"CertificateStoreId": K8S, "Alias": DEMO_TP}


@pytest.mark.parametrize(
    "body",
    [
        {"Schedule": {"Immediate": True}},
        {"CertificateStores": [], "Schedule": {"Immediate": True}},
        {"CertificateStores": None, "Schedule": {"Immediate": True}},
        {"CertificateStores": [ENTRY]},
        {"CertificateStores": [ENTRY], "Schedule": None},
        {"CertificateStores": [ENTRY], "Schedule": {}},
        {"CertificateStores": [ENTRY], "Schedule": {"Immediate": False}},
        {"CertificateStores": [ENTRY], "Schedule": {"Immediate": True, "Interval": {"Minutes": 5}}},
        {"CertificateStores": [ENTRY], "Schedule": {"Interval": {"Minutes": 0}}},
        {"CertificateStores": [ENTRY], "Schedule": {"Daily": {"Time": "tomorrow"}}},
        {
            "CertificateStores": [ENTRY],
            "Schedule": {"Weekly": {"Days": [], "Time": "2030-01-01T00:00:00Z"}},
        },
        {
            "CertificateStores": [ENTRY],
            "Schedule": {"Monthly": {"Day": 32, "Time": "2030-01-01T00:00:00Z"}},
        },
        {
            "CertificateStores": [{"CertificateStoreId": "nope", "Alias": "x"}],
            "Schedule": {"Immediate": True},
        },
        {"CertificateStores": [{"CertificateStoreId": K8S}], "Schedule": {"Immediate": True}},
        {
            "CertificateStores": [{"CertificateStoreId": K8S, "Alias": ""}],
            "Schedule": {"Immediate": True},
        },
        {
            "CertificateStores": [
                ENTRY,
                {"CertificateStoreId": str(uuid.UUID(int=7)), "Alias": "x"},
            ],
            "Schedule": {"Immediate": True},
        },
        {"CertificateStores": [ENTRY], "Schedule": {"Immediate": True}, "CollectionId": "five"},
        ["not", "an", "object"],
    ],
)
def test_validation_errors_are_400_and_create_no_job(sim, body):
    resp = sim.api("POST", URL, json=body)
    assert resp.status_code == 400, resp.text
    assert set(resp.json()) == {"ErrorCode", "Message"} and resp.json()["Message"]
    assert sim.control("GET", "/state").json()["jobs"] == []


def test_empty_body_and_wrong_content_type(sim):
    assert sim.api("POST", URL).status_code == 400
    resp = sim.api("POST", URL, data="CertificateStores=x", headers={"Content-Type": "text/plain"})
    assert resp.status_code == 415
    bad_json = sim.api("POST", URL, data="{nope", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400


def test_one_job_per_entry_in_request_order(sim, stores):
    entries = [(stores["k8s"], DEMO_TP), (stores["jks"], "app-cert"), (stores["pem"], DEMO_TP)]
    resp = sim.remove(entries)
    assert resp.status_code == 200
    ids = resp.json()
    assert isinstance(ids, list) and len(ids) == 3 and len(set(ids)) == 3
    assert all(str(uuid.UUID(i)) == i for i in ids)
    jobs = sim.control("GET", "/state").json()["jobs"]
    assert [(j["id"], j["store"], j["alias"]) for j in jobs] == [
        (i, s, a) for i, (s, a) in zip(ids, entries, strict=True)
    ]


def test_camel_case_body_and_unknown_fields_are_accepted(sim):
    body = {
        "certificateId": 0,
        "alias": "",
        "certificateStores": [
            {
                "certificateStoreId": K8S,
                "alias": DEMO_TP,
                "entryPassword": None,
                "jobFields": {"x": 1},
            }
        ],
        "schedule": {"immediate": True},
        "collectionId": None,
    }
    resp = sim.api("POST", URL, json=body)
    assert resp.status_code == 200 and len(resp.json()) == 1


def test_go_client_body_from_the_recording_is_accepted(sim):
    body = {
        "CertificateId": 0,
        "Alias": "",
        "CertificateStores": [{"CertificateStoreId": K8S, "Alias": DEMO_TP, "EntryPassword": None}],
        "Schedule": {"Immediate": True},
    }
    resp = sim.api("POST", URL, json=body, headers={"Content-Type": "application/json-patch+json"})
    assert resp.status_code == 200 and len(resp.json()) == 1


def test_schedule_member_names_and_weekday_names(sim):
    body = {
        "CertificateStores": [ENTRY],
        "Schedule": {"weekly": {"days": ["Monday", 3], "time": "2030-01-01T10:00:00Z"}},
    }
    assert sim.api("POST", URL, json=body).status_code == 200
    (job,) = sim.control("GET", "/state").json()["jobs"]
    assert job["schedule"] == {"Weekly": {"Days": [1, 3], "Time": "2030-01-01T10:00:00Z"}}
