"""The words of the parties' refusals (`party.` codes)."""

from __future__ import annotations

from bot.commands.words.base import N_

WORDS: dict[str, str] = {
    "party.outsiders": N_("Only members of the workspace that runs Parley can look after parties."),
    # reading what was typed
    "party.which_kind": N_(
        "Which kind? Choose one of `customer`, `supplier`, `third_party`, "
        "e.g. `/party set Initech kind third_party`."
    ),
    "party.unknown_kind": N_(
        "“{text}” is not a kind of party. Choose one of `customer`, `supplier`, `third_party`."
    ),
    "party.which_to_set": N_("Which party? Write it like `/party set Initech kind third_party`."),
    "party.only_the_kind": N_(
        "What should change? Only the kind can be set: `/party set Initech kind third_party` "
        "(one of `customer`, `supplier`, `third_party`). "
        "To change the name, use `/party rename Initech to Initech Ltd`."
    ),
    "party.which_to_rename": N_(
        "Which party? Write it like `/party rename Initech to Initech Ltd`."
    ),
    "party.rename_to_what": N_(
        "Rename to what? Write it like `/party rename Initech to Initech Ltd`."
    ),
    "party.which_to_show": N_("Which party? Write it like `/party show Example Supplier Ltd`."),
    # a new name
    "party.name_empty": N_(
        "The new name is empty. Write it like this: `/party rename Initech to Initech Ltd`"
    ),
    "party.name_too_long": N_(
        "The new name is {length:,} characters long; keep it to {limit}. "
        "Put the details in the thread instead."
    ),
    "party.name_over_limit": N_("The new name is {length:,} characters long; keep it to {limit}."),
    "party.name_invisible": N_(
        "The new name holds invisible or direction-changing characters "
        "(such as zero-width spaces or right-to-left marks). Type it plainly."
    ),
    "party.same_name": N_("{name} is already called that."),
    "party.reads_the_same": N_(
        "“{new}” reads the same as {name}: only letters that look alike differ. "
        "Type the new name in the letters people will read it in."
    ),
    "party.name_taken": N_(
        "“{new}” is already the name of another party. "
        "Names are compared as people read them: case, width and letters that look "
        "alike (such as a Cyrillic А for a Latin A) are set aside. Choose another name."
    ),
    "party.name_taken_reads_as": N_(
        "“{new}” is already the name of another party (it reads as “{taken}”). "
        "Names are compared as people read them: case, width and letters that look "
        "alike (such as a Cyrillic А for a Latin A) are set aside. Choose another name."
    ),
    "party.configured_name": N_(
        "“{new}” is the name of a party in Parley's config file. Choose another name."
    ),
    "party.configured_name_reads_as": N_(
        "“{new}” is the name of a party in Parley's config file (it reads as “{taken}”). "
        "Choose another name."
    ),
    # finding and changing a party
    "party.not_found": N_("There is no party “{name}”. `/party list` lists them."),
    "party.not_found_here": N_(
        "There is no party “{name}” in this channel. `/party list` lists them."
    ),
    "party.in_config": N_(
        "{name} is defined in Parley's config file; change it there "
        '([parties."{name}"]) and restart Parley.'
    ),
    "party.already_customer": N_("{name} is already a customer."),
    "party.already_supplier": N_("{name} is already a supplier."),
    "party.already_third_party": N_("{name} is already a third party."),
}
