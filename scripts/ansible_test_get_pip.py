#!/usr/bin/env python
"""Install an offline stand-in for ansible-test's pip bootstrap script.

ansible-test creates each sanity test's virtual environment without pip and
then bootstraps pip with ``get-pip.py``, which it downloads from
ci-files.testing.ansible.com into ``~/.ansible/test/cache/get_pip_<X_Y>.py``
(X.Y being the pip version it wants, e.g. 24.2 -> get_pip_24_2.py) unless that
file already exists.  That host is not reachable here (only package
registries are), so this script writes a small replacement to that path.

The replacement takes the same arguments as the real get-pip.py (pip install
options and requirements such as ``pip==24.2``, plus ``--no-setuptools`` /
``--no-wheel``): it bootstraps the pip wheel bundled with CPython through
``ensurepip`` and then lets that pip install the requested packages from the
package index (PyPI).

A cached file that is not our stand-in (a genuine get-pip.py) is left alone.
Must run with the Python of the project venv (it imports ansible-test).
"""

from __future__ import annotations

import os
import sys
import types

from ansible_test._internal.python_requirements import get_venv_packages

MARKER = '# keyfactor.command: offline get-pip stand-in'

STAND_IN = MARKER + '''
"""Stand-in for get-pip.py: ensurepip, then pip installs what was asked."""
import subprocess
import sys

NO_SETUPTOOLS = '--no-setuptools' in sys.argv[1:]
ARGS = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]


def run(*args):
    subprocess.check_call([sys.executable, *args])


def main():
    run('-m', 'ensurepip', '--default-pip')
    run('-m', 'pip', 'install', *ARGS)
    if NO_SETUPTOOLS:
        # ensurepip on Python < 3.12 also installs setuptools; get-pip.py
        # with --no-setuptools would not have.
        run('-m', 'pip', 'uninstall', '--yes', '--quiet', 'setuptools')


if __name__ == '__main__':
    main()
'''


def main() -> int:
    python_version = '%d.%d' % sys.version_info[:2]
    pip_version = get_venv_packages(types.SimpleNamespace(version=python_version))['pip']
    # Same expression as ansible_test/_util/target/setup/requirements.py:bootstrap()
    path = os.path.expanduser('~/.ansible/test/cache/get_pip_%s.py' % pip_version.replace('.', '_'))

    if os.path.exists(path):
        with open(path, encoding='utf-8') as handle:
            if not handle.read().startswith(MARKER):
                print(f'{path}: a real get-pip script is cached, leaving it alone')
                return 0

    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as handle:
        handle.write(STAND_IN)
    os.replace(tmp, path)
    print(f'{path}: offline get-pip stand-in for pip {pip_version}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
