"""Drives the bundled simulator and real ansible-playbook runs for the integration tests."""

import json
import os
import subprocess
import sys
import time

import requests
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIMULATOR_DIR = os.path.join(ROOT, "simulator")
COLLECTIONS = os.path.join(ROOT, "build", "collections")
CALLBACKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "callback_plugins")
BIN = os.path.dirname(sys.executable)

DEMO_USER = "KEYFACTOR\\demo"
S_IIS = "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a01"
S_PEM = "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a02"
S_K8S = "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a03"
S_JKS = "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a04"
S_ADC = "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a05"
DEMO_THUMBPRINT = "80A8E9BAB9ECAB51DEB35F4D95C60E7E406751D2"
ALL_PERMISSIONS = [
    "/certificate_stores/read/",
    "/certificates/collections/read/",
    "/certificate_stores/schedule/",
    "/agents/management/read/",
]


class Simulator(object):
    """A simulator process on 127.0.0.1 and its test-control API."""

    def __init__(self, workdir, time_scale=0.02, api_path="KeyfactorAPI", tls=False,
                 client_ca=None):
        self.workdir = workdir
        ready = os.path.join(workdir, "ready.json")
        self.log_path = os.path.join(workdir, "simulator.log")
        self._log = open(self.log_path, "w")
        extra = ["--tls"] if tls else []
        if client_ca:
            extra += ["--client-ca", client_ca]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kfsim", "serve", "--host", "127.0.0.1", "--port", "0",
             "--api-path", api_path, "--ready-file", ready, "--time-scale", str(time_scale),
             "--state-file", os.path.join(workdir, "state.json"), "--fresh"] + extra,
            env=dict(os.environ, PYTHONPATH=SIMULATOR_DIR),
            stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while not os.path.exists(ready):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the simulator did not start; see " + self.log_path)
            time.sleep(0.05)
        with open(ready) as handle:
            info = json.load(handle)
        self.url = info["url"]
        self.api_path = info["api_path"]
        self.token_url = info.get("token_url")
        self.oauth_client = (info.get("oauth_client_id"), info.get("oauth_client_secret"))
        self.tls = info.get("tls") or {}
        self.password = self.control("GET", "/health").get("demo_password")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log.close()

    def control(self, method, path, body=None):
        tls = {}
        if self.tls:
            tls["verify"] = self.tls["ca_file"]
            if self.tls.get("client_cert_mode") == "require":
                tls["cert"] = (self.tls["client_cert"], self.tls["client_key"])
        response = requests.request(method, self.url + "/_sim" + path, json=body, timeout=10,
                                    **tls)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self):
        self.control("POST", "/reset")

    def configure(self, **settings):
        self.control("POST", "/config", settings)

    def behave(self, store_id, outcome, alias=None, message=None):
        body = dict(store_id=store_id, outcome=outcome)
        if alias is not None:
            body["alias"] = alias
        if message is not None:
            body["message"] = message
        self.control("POST", "/behaviours", body)

    def add_alias(self, store_id, alias, **extra):
        self.control("POST", "/stores/%s/inventory" % store_id, dict(alias=alias, **extra))

    def add_user(self, username, password, permissions):
        self.control("POST", "/users", dict(username=username, password=password,
                                            permissions=permissions))

    def fault(self, **rule):
        """Add one fault rule (see simulator/README.md, "Fault injection")."""
        return self.control("POST", "/faults", rule)

    def aliases(self, store_id):
        for store in self.control("GET", "/state")["stores"]:
            if store["id"] == store_id:
                return store["aliases"]
        raise KeyError(store_id)

    def requests(self):
        return self.control("GET", "/requests")

    def clear_requests(self):
        self.control("DELETE", "/requests")

    def calls(self):
        """The API requests received, as (method, path) pairs, in order."""
        return [(entry["method"], entry["path"]) for entry in self.requests()]


class Run(object):
    def __init__(self, completed, results):
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.results = results

    @property
    def result(self):
        """The result of the (last) module task."""
        return self.results[-1]["result"]

    @property
    def status(self):
        return self.results[-1]["status"]


def run_playbook(sim, tmp_path, tasks, check=False, diff=False, env=None, verbosity=0,
                 connection_env=True, extra_args=(), play=None):
    """Run a playbook of ``tasks`` on localhost against ``sim``; return its Run.

    ``play`` adds keywords to the play, such as ``roles`` or ``vars``.
    """
    playbook = [{"name": "Integration test", "hosts": "localhost", "gather_facts": False,
                 "tasks": tasks}]
    playbook[0].update(play or {})
    path = os.path.join(str(tmp_path), "playbook.yml")
    with open(path, "w") as handle:
        yaml.safe_dump(playbook, handle, sort_keys=False)
    results_file = os.path.join(str(tmp_path), "results.jsonl")
    if os.path.exists(results_file):
        os.remove(results_file)

    environment = dict(os.environ)
    environment.update(
        ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
        ANSIBLE_CALLBACK_PLUGINS=CALLBACKS,
        ANSIBLE_CALLBACKS_ENABLED="record_results",
        RECORD_RESULTS_FILE=results_file,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_LOCAL_TEMP=os.path.join(str(tmp_path), "ansible-tmp"),
        ANSIBLE_REMOTE_TEMP=os.path.join(str(tmp_path), "ansible-remote-tmp"),
    )
    for name in [key for key in environment if key.startswith("KEYFACTOR_")]:
        del environment[name]
    if connection_env:
        environment.update(
            KEYFACTOR_HOSTNAME=sim.url,
            KEYFACTOR_API_PATH=sim.api_path,
            KEYFACTOR_USERNAME=DEMO_USER,
            KEYFACTOR_PASSWORD=sim.password,
        )
    environment.update(env or {})

    command = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local",
               "-e", "ansible_python_interpreter=" + sys.executable, path]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    if verbosity:
        command.append("-" + "v" * verbosity)
    command.extend(extra_args)
    completed = subprocess.run(command, env=environment, capture_output=True, text=True,
                               timeout=300)
    results = []
    if os.path.exists(results_file):
        with open(results_file) as handle:
            results = [json.loads(line) for line in handle if line.strip()]
    return Run(completed, results)


def checked(sim):
    """Yield ``sim`` back at its seed state with an empty request log; afterwards, assert that
    no request or response of the test broke the vendor schemas."""
    sim.reset()
    sim.clear_requests()
    yield sim
    errors = [(entry["method"], entry["path"], entry["contract_errors"])
              for entry in sim.requests() if entry.get("contract_errors")]
    assert errors == [], "requests or responses broke the vendor schemas"


def module_task(**args):
    return {"name": "Run store_certificate", "keyfactor.command.store_certificate": args}


def role_play(role, role_vars=None):
    """The ``play`` keywords applying ``role`` (a name in keyfactor.command) with ``role_vars``."""
    entry = {"role": "keyfactor.command." + role}
    if role_vars:
        entry["vars"] = role_vars
    return {"roles": [entry]}
