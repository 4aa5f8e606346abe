# -*- coding: utf-8 -*-
# Copyright: Contributors to the keyfactor.command collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which certificate leaves which store: input checks and alias matching.

Internal to the collection; not a public API.
"""

from __future__ import annotations

import re
import unicodedata

from ansible_collections.keyfactor.command.plugins.module_utils._errors import InputError

_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_THUMBPRINT = re.compile(r"^[0-9a-fA-F]{40}$")
# A thumbprint as Windows' certificate dialog or openssl shows it: byte pairs with separators.
_SEPARATED_THUMBPRINT = re.compile(r"^[0-9a-fA-F]{2}(?:[ :][0-9a-fA-F]{2}){19}$")


class Target(object):
    """One certificate (by alias) in one certificate store."""

    __slots__ = ("store_id", "alias")

    def __init__(self, store_id, alias):
        self.store_id = store_id
        self.alias = alias

    @property
    def key(self):
        return (self.store_id, alias_key(self.alias))

    def __eq__(self, other):
        return isinstance(other, Target) and self.key == other.key

    def __hash__(self):
        return hash(self.key)

    def __repr__(self):
        return "Target(%r, %r)" % (self.store_id, self.alias)


def alias_key(alias):
    """The form two aliases are compared in.

    Thumbprint aliases (40 hex digits) are the same certificate whatever their case; every other
    alias, including IIS binding aliases that merely start with a thumbprint, matches only itself
    (in Unicode's composed form).
    """
    if _SEPARATED_THUMBPRINT.match(alias):
        alias = re.sub(r"[ :]", "", alias)
    if _THUMBPRINT.match(alias):
        return alias.upper()
    # The same text may be stored composed or decomposed (é or e + accent); compare it one way.
    return unicodedata.normalize("NFC", alias)


def is_thumbprint(alias):
    return bool(_THUMBPRINT.match(alias_key(alias)))


def holds_alias(aliases, alias):
    """True when an inventory (an iterable of aliases) lists this alias."""
    return listed_as(aliases, alias) is not None


def listed_as(aliases, alias):
    """The inventory's own spelling of this alias, or None when it does not list it.

    The exact text wins over a match in another form (letter case of a thumbprint, separators,
    Unicode composition), so that such a look-alike entry is never taken instead.
    """
    if alias in aliases:
        return alias
    wanted = alias_key(alias)
    for name in aliases:
        if alias_key(name) == wanted:
            return name
    return None


def bindings_of(aliases, alias):
    """IIS binding aliases (THUMBPRINT:site:ip:port) of a thumbprint alias, in an inventory."""
    if not is_thumbprint(alias):
        return []
    prefix = alias_key(alias) + ":"
    return [name for name in aliases if name.upper().startswith(prefix)]


def _store_id(value, option):
    if not isinstance(value, str) or not _GUID.match(value.strip()):
        raise InputError(
            "%s: %r is not a certificate store GUID (expected the form "
            "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)." % (option, value)
        )
    return value.strip().lower()


def _alias(value, option):
    """The alias to match and send; refuses the slips that would make it match nothing."""
    if not isinstance(value, str) or not value.strip():
        raise InputError("%s: the alias must not be empty." % option)
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cf"):
            raise InputError(
                "%s: %r holds the invisible character U+%04X (often copied along with a "
                "thumbprint from a certificate dialog); remove it." % (option, value, ord(char)))
    if value != value.strip():
        raise InputError("%s: %r starts or ends with spaces; aliases match exactly, so remove "
                         "them." % (option, value))
    return value


def build_targets(stores=None, store_ids=None, alias=None):
    """Turn the module's target options into an ordered list of distinct Targets.

    Duplicates (same store, same alias) collapse into the first occurrence, so a store is never
    asked twice to remove the same certificate.
    """
    targets = []
    if stores is not None:
        if not stores:
            raise InputError("stores: name at least one store.")
        for index, entry in enumerate(stores):
            where = "stores[%d]" % index
            targets.append(
                Target(_store_id(entry.get("id"), where + ".id"),
                       _alias(entry.get("alias"), where + ".alias"))
            )
    else:
        if not store_ids:
            raise InputError("store_ids: name at least one store.")
        checked_alias = _alias(alias, "alias")
        for index, store_id in enumerate(store_ids):
            targets.append(Target(_store_id(store_id, "store_ids[%d]" % index), checked_alias))

    distinct = []
    seen = set()
    for target in targets:
        if target.key not in seen:
            seen.add(target.key)
            distinct.append(target)
    return distinct
