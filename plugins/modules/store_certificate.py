#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the keyfactor.command collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: store_certificate
short_description: Remove a certificate from Keyfactor Command certificate stores
version_added: 1.0.0
description:
  - Removes a certificate, named by its alias, from one or more certificate stores managed by
    Keyfactor Command, and reports what happened in each store.
  - The module first reads each store's inventory in Command (every page of it). A store whose
    inventory does not list the alias needs nothing; when no store needs anything, no request is
    sent and the task reports no change.
  - For the stores that list the alias, it sends one removal request
    (C(POST /CertificateStores/Certificates/Remove)) to run immediately. Command turns it into one
    orchestrator job per store.
  - With O(wait=true) it then follows those jobs in the job history
    (C(GET /OrchestratorJobs/JobHistory)) until every job has finished or O(wait_timeout) has
    passed, and then waits, within the same time limit, until Command's inventory of each store
    no longer lists the alias, so that running the task again right away finds nothing to do.
  - The module talks only to the Command API; run it on the controller, in a play for
    C(localhost), or with C(delegate_to) set to C(localhost) together with C(run_once). Without
    C(run_once), every host of the play submits the same removal.
author:
  - keyfactor.command maintainers (@keyfactor-command)
options:
  state:
    description:
      - The state the certificate should be in, in every named store.
      - V(absent) removes it where the store's inventory lists its alias.
    type: str
    required: true
    choices: [absent]
  stores:
    description:
      - The stores to act on, each with the alias of the certificate in that store.
      - Give either O(stores), or O(store_ids) with O(alias); not both.
      - Entries that name the same store and alias collapse into one.
    type: list
    elements: dict
    suboptions:
      id:
        description:
          - The certificate store's GUID, as Command shows it (for example in
            C(GET /CertificateStores)).
        type: str
        required: true
      alias:
        description:
          - The alias of the certificate in this store, as the store's inventory lists it.
          - Stores whose type names certificates by thumbprint (IIS, PEM files, Kubernetes TLS
            secrets and others) use the certificate's thumbprint, 40 hexadecimal digits; a
            thumbprint matches whatever its letter case. Other store types (Java keystores,
            NetScaler and others) use a name chosen when the certificate was added.
          - Any other alias matches only exactly the same text; V(app-cert) never matches
            V(app-cert-old), and an IIS binding alias such as
            V(THUMBPRINT:Default Web Site:*:443) matches only itself.
        type: str
        required: true
  store_ids:
    description:
      - The GUIDs of the stores to act on, all with the same O(alias). Handy for ad-hoc commands.
      - Requires O(alias). Give either O(store_ids) or O(stores); not both.
    type: list
    elements: str
  alias:
    description:
      - The alias of the certificate in every store of O(store_ids). Matched as described for
        O(stores[].alias).
    type: str
  collection_id:
    description:
      - The certificate collection Command checks the account's permissions against, sent as
        C(CollectionId). When not given, the account needs the permissions system-wide or through
        the stores' containers.
    type: int
  schedule:
    description:
      - When Command should run the removal. By default it runs immediately.
      - For any schedule other than V(immediate), the module does not wait for the jobs (a
        scheduled job appears in the job history only when it runs); each store's outcome is
        V(scheduled) and the RV(schedule) sent is returned.
      - A scheduled removal Command already holds for the same store with exactly the same
        schedule, not yet run, is not submitted again; the store's outcome is
        V(already_scheduled), with that job's ID, and a warning names the assumption. See the
        notes for how such a job is recognised.
      - Command keeps schedule times in UTC; the module converts every time to UTC before
        sending it, and the time zone of the machine running the module never changes the
        result.
    type: dict
    suboptions:
      type:
        description:
          - V(immediate) runs the removal as soon as an orchestrator picks it up.
          - V(once) runs it once, at O(schedule.time).
          - V(daily), V(weekly) (on O(schedule.days)) and V(monthly) (on O(schedule.day)) run it
            again and again at the time of day of O(schedule.time).
          - V(interval) runs it every O(schedule.minutes) minutes.
        type: str
        choices: [immediate, once, daily, weekly, monthly, interval]
        default: immediate
      time:
        description:
          - An ISO 8601 time. For V(once), a date and time such as C(2026-12-05T02:00:00+01:00);
            for V(daily), V(weekly) and V(monthly), a time of day such as C(02:00), or a date and
            time for the first run.
          - A time with a UTC offset (C(+01:00), C(Z)) is converted to UTC; a time without one
            needs O(schedule.timezone).
          - With a time of day, the first run is the next such time (on a matching day) in that
            time zone. A time the clocks skip that day (the start of summer time) is refused
            for V(once), and moves a repeating schedule's first run to the next day; a time
            that happens twice (the end of summer time) means the first of the two.
          - Quote times in YAML; unquoted, YAML reads C(12:30) as a number.
          - V(once) refuses a time in the past.
        type: raw
      timezone:
        description:
          - The IANA time zone (such as C(Europe/Berlin)) of a O(schedule.time) that has no UTC
            offset. Not used when the time carries an offset.
        type: str
      days:
        description:
          - For V(weekly), the days of the week, by name (C(monday) or C(mon), in any case).
        type: list
        elements: str
      day:
        description:
          - For V(monthly), the day of the month, 1 to 31.
        type: int
      minutes:
        description:
          - For V(interval), the minutes between runs; more than 0.
        type: int
  wait:
    description:
      - Whether to follow the removal jobs until they finish.
      - With V(false), the task returns the job IDs as soon as Command accepts the request, and
        each store's outcome is V(submitted).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait, after the request is accepted, for the jobs to finish and for
        the stores' inventories to show the removal.
      - When the jobs have not all finished in time, the task fails and names the jobs still
        pending; they go on running in Command.
      - Retries of reads (see O(timeout)) share this limit. From 1 to 86400.
    type: int
    default: 300
  poll_interval:
    description:
      - How many seconds to wait before the first look at the job history. Later looks come
        at growing intervals, up to 30 seconds apart (or O(poll_interval), if that is longer).
      - From 0.1 to 3600.
    type: float
    default: 2
extends_documentation_fragment:
  - keyfactor.command.connection
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details:
      - Check mode reads every store's inventory as a real run does and reports V(changed)
        exactly as a real run would, with outcome V(would_remove) for each store that lists the
        alias. It sends no removal request.
  diff_mode:
    support: full
    details:
      - The diff shows each named store's aliases before and after the removal. After a run
        that did not wait, or in check mode, the "after" side is what the removal will leave.
  action_group:
    description: Use C(group/keyfactor.command.keyfactor) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - keyfactor.command.keyfactor
  action:
    support: none
  async:
    support: full
  bypass_host_loop:
    support: none
  platform:
    platforms: all
notes:
  - Command creates one job per store and answers with their IDs in the order the stores were
    sent; the module relies on that order to tell which job belongs to which store.
  - No job history exists for a job until an orchestrator picks it up. A job whose orchestrator
    is offline stays pending until O(wait_timeout) and the task then fails naming it.
  - A job that Command will retry (status C(CompletedWillRetry)) is still followed; only
    C(Completed) and C(Acknowledged) end a job.
  - A job that ends with result C(Warning) is reported as a warning and does not fail the task;
    C(Failure), C(Unknown) and any result Command does not document fail it.
  - Reading the job history needs the C(/agents/management/read/) permission in addition to
    those the removal needs. Without it, use O(wait=false) and follow the jobs in Command.
  - Job history is read for up to 25 jobs per request, so that the request stays within the
    URL length IIS allows by default; more pending jobs take more than one request per look.
  - The module never sends the removal request twice on its own. When the answer to it is lost,
    the task fails and says the removal may have been submitted.
  - Before submitting a scheduled removal, the module reads Command's list of jobs that have
    not run yet (C(GET /OrchestratorJobs/ScheduledJobs)). That list names a job's store by client
    machine and store path, and not the certificate it acts on, so a job can never be told apart
    from another certificate's job in the same store. A management job for the same store with
    exactly the same schedule is taken to be this removal (one job per alias), so that a rerun
    submits nothing; a warning names each such assumption. Schedule the removals of several
    aliases from one store in one task, or at different times; when a store has fewer such jobs
    than the aliases a task names in it, the task fails before submitting anything.
  - An immediate removal is always submitted when the inventory lists the alias. After a run
    whose answer to the removal request was lost, check the stores' job history before running
    the task again; a second removal job for the same alias fails in file-based stores once the
    first has run (the certificate is removed either way).
  - Command keeps a repeating schedule's time of day in UTC, so a daily removal at 02:00 in a
    time zone with summer time runs at 03:00 local time during half of the year.
seealso:
  - name: POST Certificate Stores Certificates Remove
    description: Keyfactor's documentation of the removal request.
    link: https://software.keyfactor.com/Core-OnPrem/Current/Content/WebAPI/KeyfactorAPI/CertificateStoresPostCertificatesRemove.htm
  - name: GET Orchestrator Jobs Job History
    description: Keyfactor's documentation of the job history and its status and result codes.
    link: https://software.keyfactor.com/Core-OnPrem/v11.4/Content/WebAPI/KeyfactorAPI/OrchestratorJobsGETJobHistory.htm
"""

EXAMPLES = r"""
- name: Remove a compromised certificate from three stores
  keyfactor.command.store_certificate:
    url: https://keyfactor.example.com
    username: KEYFACTOR\svc-ansible
    password: "{{ keyfactor_password }}"
    state: absent
    stores:
      - id: 3f1c9b7e-2a4d-4c8e-9b1a-5d6e7f8a9b01
        alias: 80A8E9BAB9ECAB51DEB35F4D95C60E7E406751D2
      - id: 3f1c9b7e-2a4d-4c8e-9b1a-5d6e7f8a9b04
        alias: app-cert
  delegate_to: localhost
  run_once: true
  register: removal

- name: Show what happened in each store
  ansible.builtin.debug:
    msg: "{{ item.id }}: {{ item.outcome }} {{ item.message | default('', true) }}"
  loop: "{{ removal.stores }}"
  delegate_to: localhost
  run_once: true

- name: Remove it tonight at 02:00 Berlin time, in the maintenance window
  keyfactor.command.store_certificate:
    state: absent
    alias: app-cert-old
    store_ids:
      - 3f1c9b7e-2a4d-4c8e-9b1a-5d6e7f8a9b04
    schedule:
      type: once
      time: "2026-12-05T02:00:00"
      timezone: Europe/Berlin
  delegate_to: localhost
  run_once: true

- name: Same alias in several stores, connection settings from module_defaults
  module_defaults:
    group/keyfactor.command.keyfactor:
      url: https://keyfactor.example.com
      api_path: Keyfactor/API
      username: svc-ansible
      domain: KEYFACTOR
      password: "{{ keyfactor_password }}"
  block:
    - name: Submit the removal and return at once
      keyfactor.command.store_certificate:
        state: absent
        alias: 80A8E9BAB9ECAB51DEB35F4D95C60E7E406751D2
        store_ids:
          - 3f1c9b7e-2a4d-4c8e-9b1a-5d6e7f8a9b01
          - 3f1c9b7e-2a4d-4c8e-9b1a-5d6e7f8a9b02
        wait: false
      delegate_to: localhost
      run_once: true
"""

RETURN = r"""
msg:
  description: A one-line summary of what the task did.
  returned: always
  type: str
  sample: Removed the certificate from 3 stores.
job_ids:
  description: The IDs of the orchestrator jobs the removal request created, one per store.
  returned: success, and failures after a removal request was sent
  type: list
  elements: str
  sample: [d985c4a4-efc5-4a18-8019-ed2dc1484802]
schedule:
  description: The schedule object sent to Command, with its times in UTC.
  returned: when O(schedule.type) is not V(immediate)
  type: dict
  sample: {"ExactlyOnce": {"Time": "2026-12-05T01:00:00Z"}}
stores:
  description:
    - One entry per requested store (after duplicates collapse), in the order given.
    - A task that fails before anything is sent (bad input, a store that cannot be read)
      returns only RV(msg).
  returned: success, and failures after a removal request was sent
  type: list
  elements: dict
  contains:
    id:
      description: The store's GUID, in lower case.
      type: str
      returned: always
      sample: 3f1c9b7e-2a4d-4c8e-9b1a-5d6e7f8a9b01
    alias:
      description: The alias as given in the task.
      type: str
      returned: always
      sample: app-cert
    outcome:
      description:
        - V(absent), the store's inventory does not list the alias and nothing was sent for it.
        - V(would_remove), check mode only, the store lists the alias and a real run would
          remove it.
        - V(submitted), the removal was accepted and not followed (O(wait=false)), or could not
          be followed.
        - V(removed), the job ended with result C(Success).
        - V(warning), the job ended with result C(Warning); see RV(stores[].message).
        - V(failed), the job ended with result C(Failure), C(Unknown) or another result that is
          not a success.
        - V(pending), the job had not finished when O(wait_timeout) ran out.
        - V(unknown), the answer to the removal request was lost after it was sent (a time-out,
          a dropped connection, a server or gateway error); Command may have accepted it. The task
          fails and reports C(changed). Check the stores' job history before running it again.
        - V(scheduled), a removal with a schedule other than V(immediate) was submitted; it
          runs at the time of RV(schedule).
        - V(already_scheduled), Command already holds a removal for this store with the same
          schedule that has not run yet (see the notes); nothing new was submitted, and
          RV(stores[].job_id) is that job's ID.
      type: str
      returned: always
      sample: removed
    job_id:
      description: The ID of this store's removal job; null when there is none.
      type: str
      returned: always
      sample: d985c4a4-efc5-4a18-8019-ed2dc1484802
    status:
      description:
        - The status of the job's newest history row, by name (C(InProcess), C(Completed),
          C(CompletedWillRetry), C(Acknowledged) and others); null when there is no row.
      type: str
      returned: always
      sample: Completed
    result:
      description:
        - The result of the job's newest history row, by name (C(Success), C(Warning),
          C(Failure), C(Unknown)); null when there is no row.
      type: str
      returned: always
      sample: Success
    message:
      description: The orchestrator's message in the job's newest history row, if any.
      type: str
      returned: always
      sample: ""
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.keyfactor.command.plugins.module_utils._errors import (
    InputError,
    KeyfactorError,
)
from ansible_collections.keyfactor.command.plugins.module_utils._jobs import Poller
from ansible_collections.keyfactor.command.plugins.module_utils._module import (
    KeyfactorModule,
    module_argument_spec,
)
from ansible_collections.keyfactor.command.plugins.module_utils._removal import Removal
from ansible_collections.keyfactor.command.plugins.module_utils._schedule import (
    build_schedule,
    describe,
    schedule_argument_spec,
)
from ansible_collections.keyfactor.command.plugins.module_utils._targets import build_targets

ARGUMENT_SPEC = dict(
    state=dict(type="str", required=True, choices=["absent"]),
    stores=dict(
        type="list",
        elements="dict",
        options=dict(
            id=dict(type="str", required=True),
            alias=dict(type="str", required=True),
        ),
    ),
    store_ids=dict(type="list", elements="str"),
    alias=dict(type="str"),
    collection_id=dict(type="int"),
    schedule=dict(type="dict", options=schedule_argument_spec()),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=300),
    poll_interval=dict(type="float", default=2),
)


def main():
    module = KeyfactorModule(AnsibleModule(
        argument_spec=module_argument_spec(ARGUMENT_SPEC),
        mutually_exclusive=[("stores", "store_ids"), ("stores", "alias")],
        required_one_of=[("stores", "store_ids")],
        required_together=[("store_ids", "alias")],
        supports_check_mode=True,
    ))
    params = module.params
    removal = None
    try:
        _check_wait_options(params)
        targets = build_targets(params["stores"], params["store_ids"], params["alias"])
        schedule = build_schedule(params["schedule"])
        client = module.client()
        # Retries of reads share the task's time limit; they never run past it.
        client.retry_until(time.monotonic() + params["wait_timeout"])
        removal = Removal(client, targets, params["collection_id"], schedule)

        removal.read_inventories()
        removal.decide(module.check_mode)
        removal.find_scheduled()
        needed = bool(removal.due)
        if not needed or module.check_mode:
            module.exit(changed=needed, msg=_plan_message(removal, module.check_mode),
                        **_result(module, removal))

        removal.submit()
        if not removal.immediate:
            module.exit(changed=True, msg=_scheduled_message(removal), **_result(module, removal))
        if not params["wait"]:
            module.exit(changed=True, msg="Submitted the removal from %d store(s); not waiting "
                        "for the jobs (%s)." % (len(removal.due), ", ".join(removal.job_ids)),
                        **_result(module, removal))

        poller = Poller(params["wait_timeout"], params["poll_interval"])
        client.retry_until(poller.deadline)
        pending = removal.follow(poller)
        unconfirmed = [] if pending else removal.confirm(poller)
        _report(module, removal, pending, unconfirmed, params["wait_timeout"])
    except KeyfactorError as error:
        if removal is not None and (removal.job_ids or removal.maybe_submitted):
            module.fail(str(error), changed=True, **_result(module, removal))
        for text in removal.warnings if removal is not None else ():
            module.warn(text)
        module.fail(str(error), changed=False)


def _check_wait_options(params):
    if not 1 <= params["wait_timeout"] <= 86400:
        raise InputError("wait_timeout: must be a number of seconds from 1 to 86400.")
    if not 0.1 <= params["poll_interval"] <= 3600:
        # Also refuses nan, which compares false with everything.
        raise InputError("poll_interval: must be a number of seconds from 0.1 to 3600.")


def _result(module, removal):
    """The removal's results (with its diff in diff mode); its warnings go to the user."""
    for text in removal.warnings:
        module.warn(text)
    del removal.warnings[:]
    result = removal.results()
    if module.diff_mode:
        result["diff"] = removal.diff()
    return result


def _count(removal, outcome):
    return len([report for report in removal.reports if report.outcome == outcome])


def _plan_message(removal, check_mode):
    total = len(removal.reports)
    due = len(removal.due)
    waiting = _count(removal, "already_scheduled")
    if not due and not waiting:
        return "The alias is already absent from all %d store(s); nothing was submitted." % total
    if not due:
        text = "The removal is already scheduled for %d store(s)" % waiting
        if _count(removal, "absent"):
            text += "; %d already did not list the alias" % _count(removal, "absent")
        return text + "; nothing was submitted."
    text = "Check mode: would %s the certificate from %d of %d store(s)" % (
        "remove" if removal.immediate else "schedule the removal of", due, total)
    if waiting:
        text += "; %d already scheduled" % waiting
    return text + "."


def _scheduled_message(removal):
    text = "Scheduled the removal from %d store(s) (%s)" % (
        _count(removal, "scheduled"), describe(removal.schedule))
    for outcome, words in (("already_scheduled", "already scheduled"),
                           ("absent", "already did not list it")):
        if _count(removal, outcome):
            text += "; %d %s" % (_count(removal, outcome), words)
    return text + "."


def _report(module, removal, pending, unconfirmed, wait_timeout):
    due = removal.due
    for report in due:
        if report.outcome == "warning":
            module.warn("The removal from %s ended with a warning: %s"
                        % (report.describe(), report.message or "(no message)"))
    for report in unconfirmed:
        module.warn("The removal job for %s ended (%s), but Command's inventory still lists the "
                    "alias; a run of this task before the inventory refreshes would submit the "
                    "removal again." % (report.describe(), report.result))

    result = dict(changed=True, **_result(module, removal))
    if pending:
        waiting = [report for report in due if report.job_id in pending]
        module.fail(
            "Timed out after %d s with %d job(s) not finished: %s. They are still pending in "
            "Command; follow them there or in a later task." % (
                wait_timeout, len(waiting),
                "; ".join("%s for %s" % (report.job_id, report.describe()) for report in waiting)),
            **result)
    failed = [report for report in due if report.outcome == "failed"]
    if failed:
        module.fail(
            "The removal failed in %d of %d store(s): %s." % (
                len(failed), len(due),
                "; ".join("%s: %s (job %s, result %s)" % (
                    report.describe(), report.message or "no message", report.job_id,
                    report.result) for report in failed)),
            **result)
    removed = [report for report in due if report.outcome != "warning"]
    warned = len(due) - len(removed)
    absent = len(removal.reports) - len(due)
    if removed:
        text = "Removed the certificate from %s" % _stores(removed)
        if warned:
            text += "; %d ended with a warning" % warned
    else:
        text = "The removal from %d store(s) ended with a warning" % warned
    if absent:
        text += "; %d already did not list it" % absent
    module.exit(msg=text + ".", **result)


def _stores(reports):
    """'3 store(s)', or '4 alias(es) in 2 store(s)' when a store has several."""
    stores = len(set(report.target.store_id for report in reports))
    if stores == len(reports):
        return "%d store(s)" % stores
    return "%d alias(es) in %d store(s)" % (len(reports), stores)


if __name__ == "__main__":
    main()
