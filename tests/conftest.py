"""Makes the collection importable as ansible_collections.keyfactor.command for pytest.

The repository root is the collection; Python finds it through a symlink tree under build/.
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, "build", "collections")


def _link_collection():
    namespace = os.path.join(COLLECTIONS, "ansible_collections", "keyfactor")
    link = os.path.join(namespace, "command")
    os.makedirs(namespace, exist_ok=True)
    if not os.path.lexists(link):
        os.symlink(ROOT, link)


_link_collection()
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
