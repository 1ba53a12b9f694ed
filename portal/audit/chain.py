"""Hash chaining for append-only logs: the SVE journal (one per tenant schema) and the
public-schema history streams (conventions, billing) are both chained here.

Each entry's hash covers the previous entry's hash and the entry's own content (a JSON
object of its fields), so an entry altered or removed behind the database's back breaks
the chain. The head of a chain (last seq and hash) is kept in a separate, forward-only row
(an anchor), so that entries cut from the end of the chain are detected too.
"""

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

GENESIS = "0" * 64


def chain_digest(prev_hash: str, content: dict[str, Any]) -> str:
    """sha256 of the previous hash followed by the canonical JSON of ``content``."""
    canonical = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def chain_link(
    entries: Iterable, *, seq: int, prev_hash: str, content: Callable[[Any], dict]
) -> tuple[int, str]:
    """Number and hash unsaved ``entries`` in order after (``seq``, ``prev_hash``); sets
    each entry's ``seq``, ``prev_hash`` and ``hash``. Returns the new head (seq, hash)."""
    for entry in entries:
        seq += 1
        entry.seq, entry.prev_hash = seq, prev_hash
        entry.hash = prev_hash = chain_digest(prev_hash, content(entry))
    return seq, prev_hash


def chain_problems(
    entries: Iterable,
    *,
    content: Callable[[Any], dict],
    anchor_seq: int | None,
    anchor_hash: str | None,
) -> list[str]:
    """Problems found in a chain read in ``seq`` order (empty list: intact), in French.

    ``anchor_seq``/``anchor_hash`` is the head kept outside the chain (None: no anchor)."""
    problems = []
    prev_hash = GENESIS
    expected_seq = 1
    last = None
    for entry in entries:
        if entry.seq != expected_seq:
            problems.append(f"entrée(s) manquante(s) : n°{expected_seq} à n°{entry.seq - 1}")
        if entry.prev_hash != prev_hash:
            problems.append(
                f"entrée n°{entry.seq} : chaînage rompu (entrée précédente altérée ou manquante)"
            )
        if chain_digest(entry.prev_hash, content(entry)) != entry.hash:
            problems.append(f"entrée n°{entry.seq} : contenu altéré")
        prev_hash = entry.hash
        expected_seq = entry.seq + 1
        last = entry
    problems.extend(_anchor_problems(last=last, anchor_seq=anchor_seq, anchor_hash=anchor_hash))
    return problems


def _anchor_problems(*, last, anchor_seq: int | None, anchor_hash: str | None) -> list[str]:
    last_seq = last.seq if last is not None else 0
    if anchor_seq is None:
        return [f"ancre du journal absente (dernière entrée : n°{last_seq})"] if last_seq else []
    if last_seq < anchor_seq:
        return [
            f"entrée(s) manquante(s) en fin de chaîne : n°{last_seq + 1} à n°{anchor_seq}"
            f" (l'ancre indique n°{anchor_seq})"
        ]
    if last_seq > anchor_seq:
        return [
            f"entrée(s) n°{anchor_seq + 1} à n°{last_seq} au-delà de l'ancre"
            " (écrites hors de l'application)"
        ]
    if last is not None and last.hash != anchor_hash:
        return [f"ancre discordante : l'empreinte de l'entrée n°{last_seq} diffère de l'ancre"]
    return []
