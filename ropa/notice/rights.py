"""The rights each Art. 6 basis carries (UK GDPR Arts. 7 and 15-22), as the register's reference facts state them.

Always: to be informed, of access, to rectification, to restrict processing, to complain. Erasure: not for a legal
obligation or a public task (Art. 17(3)(b)). Portability: only consent or contract, where processing is automated
(Art. 20(1)). Objection: public task and legitimate interests (Art. 21(1)). Consent can be withdrawn (Art. 7(3)).
"""

from dataclasses import dataclass

ALWAYS = (("to be informed", "Arts. 13 and 14"), ("of access", "Art. 15"), ("to rectification", "Art. 16"),
          ("to restrict processing", "Art. 18"))
ERASURE = ("to erasure", "Art. 17")
PORTABILITY = ("to data portability, where the processing is automated", "Art. 20")
OBJECT = ("to object", "Art. 21(1)")
WITHDRAW = ("to withdraw your consent at any time", "Art. 7(3)")


@dataclass(frozen=True)
class BasisRights:
    erasure: bool
    portability: bool
    #: None: the reference facts do not settle it (the recognised legitimate interest basis, new in 2026).
    objection: bool | None
    withdraw: bool = False


BY_BASIS = {
    "6(1)(a)": BasisRights(erasure=True, portability=True, objection=False, withdraw=True),
    "6(1)(b)": BasisRights(erasure=True, portability=True, objection=False),
    "6(1)(c)": BasisRights(erasure=False, portability=False, objection=False),
    "6(1)(d)": BasisRights(erasure=True, portability=False, objection=False),
    "6(1)(e)": BasisRights(erasure=False, portability=False, objection=True),
    "6(1)(ea)": BasisRights(erasure=True, portability=False, objection=None),
    "6(1)(f)": BasisRights(erasure=True, portability=False, objection=True),
}
#: Art. 9 conditions under which erasure may be refused where it would impair the purpose (Art. 17(3)(c) and (d)).
ERASURE_LIMITED_BY = {"9(2)(i)": "Art. 17(3)(c)", "9(2)(j)": "Art. 17(3)(d)"}


def _phrase(right: tuple[str, str]) -> str:
    return f"{right[0]} ({right[1]})"


def carried(code: str) -> tuple[list[str], list[str]]:
    """(the rights this Art. 6 basis carries, those it does not) as phrases with their article."""
    basis = BY_BASIS.get(code)
    if basis is None:
        return [_phrase(r) for r in ALWAYS], []
    yes, no = [_phrase(r) for r in ALWAYS[:3]], []
    (yes if basis.erasure else no).append(_phrase(ERASURE) if basis.erasure else "to erasure (Art. 17(3)(b))")
    yes.append(_phrase(ALWAYS[3]))
    (yes if basis.portability else no).append(_phrase(PORTABILITY) if basis.portability
                                              else "to data portability (Art. 20(1))")
    if basis.objection:
        yes.append(_phrase(OBJECT))
    elif basis.objection is False:
        no.append("to object (Art. 21(1)" + (": withdrawing your consent serves instead)" if basis.withdraw else ")"))
    if basis.withdraw:
        yes.append(_phrase(WITHDRAW))
    return yes, no


def settles_objection(code: str) -> bool:
    basis = BY_BASIS.get(code)
    return basis is not None and basis.objection is not None
