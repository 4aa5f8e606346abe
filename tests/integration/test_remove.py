"""store_certificate state=absent against the simulator: the main job, end to end."""

import base64

from harness import (
    DEMO_THUMBPRINT,
    S_ADC,
    S_IIS,
    S_JKS,
    S_K8S,
    S_PEM,
    module_task,
    run_playbook,
)

DEMO_STORES = [S_IIS, S_PEM, S_K8S]
INVENTORY_QUERY = {"PageReturned": ["1"], "ReturnLimit": ["100"]}


def remove_demo(**extra):
    args = dict(state="absent", alias=DEMO_THUMBPRINT, store_ids=DEMO_STORES, poll_interval=0.1,
                wait_timeout=60)
    args.update(extra)
    return module_task(**args)


def inventory_reads(entries):
    return [entry["path"].split("/")[2] for entry in entries
            if entry["method"] == "GET" and entry["path"].endswith("/Inventory")]


def test_removes_from_three_stores_and_reports_each(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [remove_demo()])

    assert run.rc == 0, run.stdout
    result = run.result
    assert result["changed"] is True
    assert result["msg"] == "Removed the certificate from 3 store(s)."
    assert len(result["job_ids"]) == 3
    assert [(s["id"], s["alias"], s["outcome"], s["job_id"], s["status"], s["result"])
            for s in result["stores"]] == [
        (store, DEMO_THUMBPRINT, "removed", job, "Completed", "Success")
        for store, job in zip(DEMO_STORES, result["job_ids"])]
    for store in DEMO_STORES:
        assert DEMO_THUMBPRINT not in sim.aliases(store)

    entries = sim.requests()
    assert [(e["method"], e["path"], e["params"]) for e in entries[:4]] == [
        ("GET", "/CertificateStores/%s/Inventory" % store, INVENTORY_QUERY)
        for store in DEMO_STORES] + [("POST", "/CertificateStores/Certificates/Remove", {})]
    assert entries[3]["body"] == {
        "CertificateStores": [{"CertificateStoreId": store, "Alias": DEMO_THUMBPRINT}
                              for store in DEMO_STORES],
        "Schedule": {"Immediate": True},
    }
    for entry in entries:
        assert entry["headers"].get("X-Keyfactor-Requested-With") == "APIClient"
        assert entry["headers"].get("X-Keyfactor-Api-Version") == "1"
    posts = [e for e in entries if e["method"] == "POST"]
    assert len(posts) == 1
    history = [e for e in entries if e["path"] == "/OrchestratorJobs/JobHistory"]
    assert history, "the jobs were never looked up"
    first_query = history[0]["params"]["QueryString"][0]
    assert first_query == " OR ".join('JobId -eq "%s"' % job for job in result["job_ids"])
    for entry in history:
        assert entry["params"]["SortField"] == ["JobHistoryId"]
    rest = entries[4:]
    assert all(e["path"] == "/OrchestratorJobs/JobHistory" or e["path"].endswith("/Inventory")
               for e in rest)


def test_rerun_changes_nothing_and_submits_nothing(sim, tmp_path):
    first = run_playbook(sim, tmp_path, [remove_demo()])
    assert first.rc == 0, first.stdout
    sim.clear_requests()

    second = run_playbook(sim, tmp_path, [remove_demo()])

    assert second.rc == 0, second.stdout
    assert second.result["changed"] is False
    assert second.result["msg"] == (
        "The alias is already absent from all 3 store(s); nothing was submitted.")
    assert second.result["job_ids"] == []
    assert [s["outcome"] for s in second.result["stores"]] == ["absent"] * 3
    assert sim.calls() == [("GET", "/CertificateStores/%s/Inventory" % s) for s in DEMO_STORES]
    assert "ok=1" in second.stdout and "changed=0" in second.stdout


def test_check_mode_predicts_change_and_sends_no_removal(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [remove_demo()], check=True)

    assert run.rc == 0, run.stdout
    assert run.result["changed"] is True
    assert run.result["msg"] == "Check mode: would remove the certificate from 3 of 3 store(s)."
    assert [s["outcome"] for s in run.result["stores"]] == ["would_remove"] * 3
    assert [s["job_id"] for s in run.result["stores"]] == [None] * 3
    assert sim.calls() == [("GET", "/CertificateStores/%s/Inventory" % s) for s in DEMO_STORES]
    for store in DEMO_STORES:
        assert DEMO_THUMBPRINT in sim.aliases(store)


def test_check_mode_reports_no_change_when_absent(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", alias="not-there", store_ids=[S_JKS])], check=True)
    assert run.rc == 0, run.stdout
    assert run.result["changed"] is False
    assert [s["outcome"] for s in run.result["stores"]] == ["absent"]


def test_diff_shows_aliases_before_and_after(sim, tmp_path):
    before = {store: sorted(sim.aliases(store)) for store in (S_JKS,)}
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", stores=[{"id": S_JKS, "alias": "app-cert"}], poll_interval=0.1)],
        diff=True)

    assert run.rc == 0, run.stdout
    diff = run.result["diff"]
    assert diff["before"] == {S_JKS: before[S_JKS]}
    assert diff["after"] == {S_JKS: [a for a in before[S_JKS] if a != "app-cert"]}
    assert "app-cert-old" in diff["after"][S_JKS]
    assert '-        "app-cert",' in run.stdout


def test_named_alias_never_matches_a_longer_alias(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", stores=[{"id": S_JKS, "alias": "app-cert"}], poll_interval=0.1)])

    assert run.rc == 0, run.stdout
    assert [s["outcome"] for s in run.result["stores"]] == ["removed"]
    remaining = sim.aliases(S_JKS)
    assert "app-cert" not in remaining
    assert "app-cert-old" in remaining


def test_thumbprint_alias_matches_in_any_case(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", alias=DEMO_THUMBPRINT.lower(), store_ids=[S_IIS], poll_interval=0.1)])
    assert run.rc == 0, run.stdout
    assert [s["outcome"] for s in run.result["stores"]] == ["removed"]
    assert DEMO_THUMBPRINT not in sim.aliases(S_IIS)


def test_duplicates_collapse_into_one_entry(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", poll_interval=0.1, stores=[
            {"id": S_IIS, "alias": DEMO_THUMBPRINT},
            {"id": S_IIS.upper(), "alias": DEMO_THUMBPRINT.lower()},
        ])])
    assert run.rc == 0, run.stdout
    assert len(run.result["stores"]) == 1
    [post] = [e for e in sim.requests() if e["method"] == "POST"]
    assert post["body"]["CertificateStores"] == [
        {"CertificateStoreId": S_IIS, "Alias": DEMO_THUMBPRINT}]


def test_alias_on_a_later_inventory_page_is_found(sim, tmp_path):
    for index in range(150):
        sim.add_alias(S_ADC, "filler-%03d" % index)
    sim.add_alias(S_ADC, "zz-last-page")
    sim.clear_requests()

    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", stores=[{"id": S_ADC, "alias": "zz-last-page"}], poll_interval=0.1)],
        check=True)

    assert run.rc == 0, run.stdout
    assert [s["outcome"] for s in run.result["stores"]] == ["would_remove"]
    pages = [e["params"]["PageReturned"] for e in sim.requests()]
    assert pages[:2] == [["1"], ["2"]]


def test_collection_id_is_sent_when_given(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", alias=DEMO_THUMBPRINT, store_ids=[S_IIS], collection_id=3, wait=False)])
    assert run.rc == 0, run.stdout
    [post] = [e for e in sim.requests() if e["method"] == "POST"]
    assert post["body"]["CollectionId"] == 3


def test_wait_false_returns_job_ids_without_polling(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [remove_demo(wait=False)])

    assert run.rc == 0, run.stdout
    result = run.result
    assert result["changed"] is True
    assert [s["outcome"] for s in result["stores"]] == ["submitted"] * 3
    assert [s["job_id"] for s in result["stores"]] == result["job_ids"]
    assert result["msg"] == "Submitted the removal from 3 store(s); not waiting for the jobs (%s)." % (
        ", ".join(result["job_ids"]))
    assert sim.calls() == [("GET", "/CertificateStores/%s/Inventory" % s) for s in DEMO_STORES] + [
        ("POST", "/CertificateStores/Certificates/Remove")]


def test_job_that_fails_fails_the_task_and_others_tell_their_own_truth(sim, tmp_path):
    sim.behave(S_PEM, "failure", message="Permission denied writing /etc/ssl/certs/shop.pem")

    run = run_playbook(sim, tmp_path, [remove_demo()])

    assert run.rc == 2
    assert run.status == "failed"
    result = run.result
    assert result["changed"] is True
    outcomes = {s["id"]: (s["outcome"], s["result"], s["message"]) for s in result["stores"]}
    assert outcomes[S_PEM] == ("failed", "Failure", "Permission denied writing /etc/ssl/certs/shop.pem")
    assert outcomes[S_IIS][:2] == ("removed", "Success")
    assert outcomes[S_K8S][:2] == ("removed", "Success")
    job = [s["job_id"] for s in result["stores"] if s["id"] == S_PEM][0]
    assert result["msg"] == (
        "The removal failed in 1 of 3 store(s): store %s (alias %s): Permission denied writing "
        "/etc/ssl/certs/shop.pem (job %s, result Failure)." % (S_PEM, DEMO_THUMBPRINT, job))
    assert DEMO_THUMBPRINT in sim.aliases(S_PEM)


def test_warning_result_warns_and_does_not_fail(sim, tmp_path):
    sim.behave(S_K8S, "warning", message="Secret updated; pods still mount the old certificate")

    run = run_playbook(sim, tmp_path, [remove_demo()])

    assert run.rc == 0, run.stdout
    result = run.result
    [k8s] = [s for s in result["stores"] if s["id"] == S_K8S]
    assert (k8s["outcome"], k8s["status"], k8s["result"]) == ("warning", "Completed", "Warning")
    expected = ("The removal from store %s (alias %s) ended with a warning: Secret updated; pods "
                "still mount the old certificate" % (S_K8S, DEMO_THUMBPRINT))
    assert result["warnings"] == [expected]
    assert "[WARNING]: " + expected in run.stdout + run.stderr
    assert result["msg"] == "Removed the certificate from 2 store(s); 1 ended with a warning."


def test_job_retried_by_command_is_followed_to_its_final_row(sim, tmp_path):
    sim.behave(S_IIS, "will_retry")
    run = run_playbook(sim, tmp_path, [remove_demo(store_ids=[S_IIS])])
    assert run.rc == 0, run.stdout
    [store] = run.result["stores"]
    assert (store["outcome"], store["status"], store["result"]) == ("removed", "Completed", "Success")


def test_integer_enums_read_like_names(sim, tmp_path):
    sim.configure(enum_format="ints")
    run = run_playbook(sim, tmp_path, [remove_demo()])
    assert run.rc == 0, run.stdout
    assert {(s["status"], s["result"]) for s in run.result["stores"]} == {("Completed", "Success")}
    history = [e for e in sim.requests() if e["path"] == "/OrchestratorJobs/JobHistory"]
    assert any(isinstance(row["Status"], int) for e in history for row in e["response"])


def test_timeout_names_pending_jobs(sim, tmp_path):
    sim.behave(S_K8S, "never_pickup")

    run = run_playbook(sim, tmp_path, [remove_demo(wait_timeout=3)])

    assert run.rc == 2
    result = run.result
    [k8s] = [s for s in result["stores"] if s["id"] == S_K8S]
    assert (k8s["outcome"], k8s["status"], k8s["result"]) == ("pending", None, None)
    assert result["msg"] == (
        "Timed out after 3 s with 1 job(s) not finished: %s for store %s (alias %s). They are "
        "still pending in Command; follow them there or in a later task."
        % (k8s["job_id"], S_K8S, DEMO_THUMBPRINT))
    assert [s["outcome"] for s in result["stores"] if s["id"] != S_K8S] == ["removed", "removed"]
    assert result["changed"] is True


def test_no_secret_in_verbose_output(sim, tmp_path):
    sim.behave(S_PEM, "failure", message="boom")
    run = run_playbook(sim, tmp_path, [remove_demo()], verbosity=4)
    assert run.rc == 2
    encoded = base64.b64encode(("KEYFACTOR\\demo:" + sim.password).encode()).decode()
    output = run.stdout + run.stderr
    assert '"module_args"' in output
    assert sim.password not in output
    assert encoded not in output


def test_waiting_job_of_another_alias_never_stops_a_removal(sim, tmp_path):
    sim.behave(S_JKS, "never_pickup")
    first = run_playbook(sim, tmp_path, [module_task(
        state="absent", stores=[{"id": S_JKS, "alias": "app-cert"}], wait=False)])
    assert first.rc == 0, first.stdout
    [waiting] = first.result["job_ids"]
    sim.clear_requests()

    second = run_playbook(sim, tmp_path, [module_task(
        state="absent", stores=[{"id": S_JKS, "alias": "client-auth"}], wait=False)])

    assert second.rc == 0, second.stdout
    assert second.result["changed"] is True
    [store] = second.result["stores"]
    assert store["outcome"] == "submitted" and store["job_id"] != waiting
    [post] = [e for e in sim.requests() if e["method"] == "POST"]
    assert post["body"]["CertificateStores"] == [
        {"CertificateStoreId": S_JKS, "Alias": "client-auth"}]
    assert "warnings" not in second.result


def test_plain_thumbprint_next_to_a_binding_alias_warns_and_sends_nothing(sim, tmp_path):
    thumb = "C0FFEE00C0FFEE00C0FFEE00C0FFEE00C0FFEE00"
    binding = thumb + ":Default Web Site:*:443"
    sim.add_alias(S_IIS, binding)
    run = run_playbook(sim, tmp_path, [module_task(state="absent", alias=thumb, store_ids=[S_IIS])])
    assert run.rc == 0, run.stdout
    assert run.result["changed"] is False
    assert run.result["warnings"] == [
        "Store %s does not list the alias %s, but lists the IIS binding alias(es) %s. An alias "
        "matches only exactly: to remove a binding, name its alias." % (S_IIS, thumb, binding)]
    assert ("POST", "/CertificateStores/Certificates/Remove") not in sim.calls()


def test_thumbprint_written_with_separators_is_removed(sim, tmp_path):
    spaced = " ".join(DEMO_THUMBPRINT[i:i + 2] for i in range(0, 40, 2)).lower()
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", alias=spaced, store_ids=[S_IIS], poll_interval=0.1)])
    assert run.rc == 0, run.stdout
    assert [(s["alias"], s["outcome"]) for s in run.result["stores"]] == [(spaced, "removed")]
    [post] = [e for e in sim.requests() if e["method"] == "POST"]
    assert post["body"]["CertificateStores"][0]["Alias"] == DEMO_THUMBPRINT


def test_rerun_right_after_a_warning_finds_nothing_to_do(sim, tmp_path):
    sim.behave(S_PEM, "warning", message="Removed; the web server still serves the old file")
    first = run_playbook(sim, tmp_path, [remove_demo(store_ids=[S_PEM])])
    assert first.rc == 0, first.stdout
    assert [s["outcome"] for s in first.result["stores"]] == ["warning"]
    second = run_playbook(sim, tmp_path, [remove_demo(store_ids=[S_PEM])], diff=True)
    assert second.rc == 0, second.stdout
    assert [s["outcome"] for s in second.result["stores"]] == ["absent"]


def test_several_aliases_in_one_store_are_counted_as_such(sim, tmp_path):
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", poll_interval=0.1,
        stores=[{"id": S_JKS, "alias": "app-cert"}, {"id": S_JKS, "alias": "app-cert-old"}])])
    assert run.rc == 0, run.stdout
    assert run.result["msg"] == "Removed the certificate from 2 alias(es) in 1 store(s)."


def test_named_alias_shaped_like_a_separated_thumbprint_is_removed_as_listed(sim, tmp_path):
    named = "80:a8:e9:ba:b9:ec:ab:51:de:b3:5f:4d:95:c6:0e:7e:40:67:51:d2"
    sim.add_alias(S_JKS, named)
    run = run_playbook(sim, tmp_path, [module_task(
        state="absent", stores=[{"id": S_JKS, "alias": named}], poll_interval=0.1)])
    assert run.rc == 0, run.stdout
    assert [s["outcome"] for s in run.result["stores"]] == ["removed"]
    assert named not in sim.aliases(S_JKS)
