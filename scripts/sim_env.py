#!/usr/bin/env python
"""Print shell assignments that point the collection at a running simulator.

Usage: sim_env.py READY_FILE

READY_FILE is the JSON file `kfsim serve --ready-file` writes once it listens
({"url": ..., "api_path": ...}). The demo account's password comes from the
simulator's control API (GET /_sim/health), falling back to the seeded one.
Output: KEYFACTOR_HOSTNAME, KEYFACTOR_API_PATH, KEYFACTOR_USERNAME,
KEYFACTOR_PASSWORD and KEYFACTOR_DOMAIN as `export NAME=value` lines.
"""

from __future__ import annotations

import json
import shlex
import sys
import time

import requests

SEEDED_DEMO_PASSWORD = 'KfSimDemo2025'  # simulator/kfsim/seed.py


def main() -> int:
    deadline = time.monotonic() + 10
    while True:  # tolerate a ready file that is still being written
        try:
            with open(sys.argv[1], encoding='utf-8') as handle:
                ready = json.load(handle)
            break
        except (OSError, ValueError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    url = ready['url'].rstrip('/')
    health = requests.get(url + '/_sim/health', timeout=10)
    health.raise_for_status()
    password = health.json().get('demo_password') or SEEDED_DEMO_PASSWORD
    settings = {
        'KEYFACTOR_HOSTNAME': url,
        'KEYFACTOR_API_PATH': ready.get('api_path', 'KeyfactorAPI'),
        'KEYFACTOR_USERNAME': 'demo',
        'KEYFACTOR_PASSWORD': password,
        'KEYFACTOR_DOMAIN': 'KEYFACTOR',
    }
    for name, value in settings.items():
        print(f'export {name}={shlex.quote(value)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
