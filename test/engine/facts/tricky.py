"""Every shape of module-level statement, class body and literal the facts read."""
from __future__ import annotations

import os, sys as system
import a.b.c as abc
from . import sibling
from ..pkg.mod import (first, second as renamed)  # comment
from .star import *
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shop.models import Order
    if True:
        from shop.models import Nested
else:
    from shop.fallback import Other
if typing.TYPE_CHECKING is True:
    import typed
elif TYPE_CHECKING:
    import not_typed

try:
    import ujson as json
except ImportError:
    json = None

DEBUG = True
ALLOWED_HOSTS = ["a", 'b', """c""", r"d\e", "f\\g", f"{x}", "h" "i"]
MIDDLEWARE: list = [
    "x",  # trailing
    # comment
    "y",
]
MIDDLEWARE += ["z"]
MIDDLEWARE.insert(0, "w")
INSTALLED_APPS.append("extra")
NUMBERS = (1, 2.5, 1_000, 0x1F, 1e400, -3, None, False, (4), ((5, 6)), (  # c
    7))
DATABASES = {"default": {"ENGINE": "x", **OTHER}, 1: 2}
EMPTY = {}
lower = 1
A = B = 3
for NAME in []:
    LOOPED = NAME
with open("f") as handle:
    WITHED = 1
while False:
    WHILED = 2

@decorator
def function(): pass

async def coroutine(): pass

@dataclass
class Decorated(Base, metaclass=Meta):
    field = models.CharField(max_length=10, choices=[("a", "A")], default=None)
    other: int = models.ForeignKey("app.Model", on_delete=models.CASCADE, related_name="+", *args, **kwargs)
    plain: str
    chained = again = 5
    call = f(x for x in y)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("thing")
        abstract = True
        pass

    class NotMeta:
        inside = 1

    @property
    def method(self): pass

    async def other_method(self): pass

class Plain(
    # comment base
    models.Model,
):
    objects = Manager()
    name = models.CharField(
        max_length=3,  # comment arg
    )

def later():
    import inside_function
    from .rel import helper

class Later:
    import in_class
