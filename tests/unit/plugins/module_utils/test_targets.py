import pytest

from ansible_collections.keyfactor.command.plugins.module_utils._errors import InputError
from ansible_collections.keyfactor.command.plugins.module_utils._targets import (
    Target,
    alias_key,
    build_targets,
    holds_alias,
    listed_as,
)

STORE_A = "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a01"
STORE_B = "b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a02"
THUMB = "80A8E9BAB9ECAB51DEB35F4D95C60E7E406751D2"


def test_stores_form_keeps_order_and_lowercases_ids():
    targets = build_targets(stores=[
        {"id": STORE_B.upper(), "alias": "app-cert"},
        {"id": STORE_A, "alias": THUMB},
    ])
    assert [(t.store_id, t.alias) for t in targets] == [(STORE_B, "app-cert"), (STORE_A, THUMB)]


def test_store_ids_form_uses_one_alias_for_all():
    targets = build_targets(store_ids=[STORE_A, STORE_B], alias="app-cert")
    assert targets == [Target(STORE_A, "app-cert"), Target(STORE_B, "app-cert")]


def test_duplicates_collapse_into_first_entry():
    targets = build_targets(stores=[
        {"id": STORE_A, "alias": THUMB},
        {"id": STORE_A.upper(), "alias": THUMB.lower()},
        {"id": STORE_A, "alias": "app-cert"},
        {"id": STORE_A, "alias": "app-cert"},
    ])
    assert [(t.store_id, t.alias) for t in targets] == [(STORE_A, THUMB), (STORE_A, "app-cert")]


def test_named_aliases_differing_in_case_stay_distinct():
    targets = build_targets(store_ids=[STORE_A], alias="App-Cert")
    assert targets[0].key != Target(STORE_A, "app-cert").key


@pytest.mark.parametrize("bad, where", [
    ("not-a-guid", "stores[1].id"),
    ("b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a0", "stores[1].id"),
    ("{b3a0d7e2-1c4f-4a8e-9f21-5d6c7e8f9a01}", "stores[1].id"),
    ("", "stores[1].id"),
])
def test_malformed_guid_names_the_entry(bad, where):
    with pytest.raises(InputError) as error:
        build_targets(stores=[{"id": STORE_A, "alias": "x"}, {"id": bad, "alias": "x"}])
    assert str(error.value).startswith(where + ": ")
    assert "is not a certificate store GUID" in str(error.value)


@pytest.mark.parametrize("alias", ["", "   "])
def test_empty_alias_is_refused(alias):
    with pytest.raises(InputError) as error:
        build_targets(stores=[{"id": STORE_A, "alias": alias}])
    assert str(error.value) == "stores[0].alias: the alias must not be empty."
    with pytest.raises(InputError) as error:
        build_targets(store_ids=[STORE_A], alias=alias)
    assert str(error.value) == "alias: the alias must not be empty."


def test_empty_lists_are_refused():
    with pytest.raises(InputError, match="^stores: name at least one store.$"):
        build_targets(stores=[])
    with pytest.raises(InputError, match="^store_ids: name at least one store.$"):
        build_targets(store_ids=[], alias="x")


def test_store_ids_entry_named_in_error():
    with pytest.raises(InputError, match=r"^store_ids\[1\]: 'nope' is not"):
        build_targets(store_ids=[STORE_A, "nope"], alias="x")


def test_named_alias_never_matches_a_longer_one():
    assert not holds_alias(["app-cert-old", "old-app-cert", "app-cert "], "app-cert")
    assert holds_alias(["app-cert-old", "app-cert"], "app-cert")


def test_thumbprint_matches_regardless_of_case():
    assert holds_alias([THUMB.lower()], THUMB)
    assert holds_alias([THUMB], THUMB.lower())
    assert alias_key(THUMB.lower()) == THUMB


def test_iis_composite_alias_matches_only_itself():
    composite = THUMB + ":Default Web Site:*:443"
    assert not holds_alias([composite], THUMB)
    assert not holds_alias([THUMB], composite)
    assert not holds_alias([THUMB.lower() + ":Default Web Site:*:443"], composite)
    assert holds_alias([composite], composite)


@pytest.mark.parametrize("alias, message", [
    ("app-cert ", "stores[0].alias: 'app-cert ' starts or ends with spaces; aliases match exactly, "
                  "so remove them."),
    (" app-cert", "stores[0].alias: ' app-cert' starts or ends with spaces; aliases match exactly, "
                  "so remove them."),
    (chr(0x200E) + THUMB, "stores[0].alias: '\\u200e%s' holds the invisible character U+200E "
                          "(often copied along with a thumbprint from a certificate dialog); "
                          "remove it." % THUMB),
    ("app" + chr(0xFEFF) + "cert", "stores[0].alias: 'app\\ufeffcert' holds the invisible "
                                   "character U+FEFF"),
])
def test_alias_slips_that_would_match_nothing_are_refused(alias, message):
    with pytest.raises(InputError) as error:
        build_targets(stores=[{"id": STORE_A, "alias": alias}])
    assert str(error.value).startswith(message)


@pytest.mark.parametrize("alias", [
    "80 a8 e9 ba b9 ec ab 51 de b3 5f 4d 95 c6 0e 7e 40 67 51 d2",
    "80:A8:E9:BA:B9:EC:AB:51:DE:B3:5F:4D:95:C6:0E:7E:40:67:51:D2",
])
def test_thumbprint_with_separators_matches_the_plain_thumbprint(alias):
    [target] = build_targets(store_ids=[STORE_A], alias=alias)
    assert target.alias == alias
    assert listed_as(["other", THUMB], alias) == THUMB


def test_exact_text_wins_over_a_look_alike():
    spaced = "80:a8:e9:ba:b9:ec:ab:51:de:b3:5f:4d:95:c6:0e:7e:40:67:51:d2"
    assert listed_as([THUMB, spaced], spaced) == spaced
    import unicodedata
    composed = unicodedata.normalize("NFC", "café-ü")
    decomposed = unicodedata.normalize("NFD", composed)
    assert listed_as([decomposed, composed], composed) == composed
    assert listed_as([decomposed], composed) == decomposed


def test_non_ascii_aliases_are_kept_as_given():
    [target] = build_targets(store_ids=[STORE_A], alias="zertifikat-müller")
    assert target.alias == "zertifikat-müller"


def test_bindings_of_a_thumbprint():
    from ansible_collections.keyfactor.command.plugins.module_utils._targets import bindings_of

    inventory = [THUMB + ":Default Web Site:*:443", THUMB.lower() + ":Shop:*:8443", "other"]
    assert bindings_of(inventory, THUMB.lower()) == inventory[:2]
    assert bindings_of(inventory, "app-cert") == []


def test_composed_and_decomposed_forms_of_an_alias_match():
    import unicodedata

    composed = unicodedata.normalize("NFC", "clé-serveur-été")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert holds_alias([composed], decomposed)
