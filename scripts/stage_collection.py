#!/usr/bin/env python
"""Copy the shipped collection content into a fresh directory.

Usage: stage_collection.py DEST

DEST (typically build/sanity/ansible_collections/keyfactor/command) is wiped
and refilled with a plain copy (no symlinks) of the files that

* git knows about, committed or not: ``git ls-files --cached --others
  --exclude-standard`` (so ignored junk such as .venv or __pycache__ never
  leaks in, while new files work before they are committed), and
* ``ansible-galaxy collection build`` would put into the collection artifact,
  i.e. what galaxy.yml's ``build_ignore`` leaves in.  The decision is made by
  ansible-core's own manifest code, so the copy and the built tarball cannot
  drift apart.

galaxy.yml itself is copied too: ansible-galaxy turns it into MANIFEST.json
when building, and ansible-test reads it for the collection version.

Must run with the Python of the project venv (it imports ansible-core).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from ansible.galaxy.collection import _build_files_manifest, _get_meta_from_src_dir
from ansible.module_utils.common.text.converters import to_bytes, to_text

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def git_files(root: str) -> set[str]:
    """Return the repository's tracked and untracked-but-not-ignored files."""
    out = subprocess.run(
        ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
        cwd=root, check=True, capture_output=True,
    ).stdout
    return {to_text(p) for p in out.split(b'\0') if p}


def shipped_files(root: str) -> set[str]:
    """Return the files ansible-galaxy would put into the collection artifact."""
    b_root = to_bytes(root)
    meta = _get_meta_from_src_dir(b_root)
    manifest = _build_files_manifest(
        b_root, meta['namespace'], meta['name'], meta['build_ignore'],
        meta['manifest'], meta['license_file'],
    )
    return {entry['name'] for entry in manifest['files'] if entry['ftype'] == 'file'}


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    dest = os.path.abspath(sys.argv[1])
    if os.path.commonpath([dest, REPO_ROOT]) == dest:
        print(f'refusing to replace {dest}: it contains the repository', file=sys.stderr)
        return 2

    files = (git_files(REPO_ROOT) & shipped_files(REPO_ROOT)) | {'galaxy.yml'}
    # `git ls-files --cached` still lists tracked files deleted in the work tree.
    files = sorted(f for f in files if os.path.isfile(os.path.join(REPO_ROOT, f)))

    if os.path.lexists(dest):
        if os.path.islink(dest) or not os.path.isdir(dest):
            os.unlink(dest)
        else:
            shutil.rmtree(dest)
    for rel in files:
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        # copy2 follows symlinks: the copy holds regular files only.
        shutil.copy2(os.path.join(REPO_ROOT, rel), target)

    print(f'staged {len(files)} files into {os.path.relpath(dest, REPO_ROOT)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
