"""The app's Jinja environment: Flask's, with a quicker `record.field` for plain dicts.

The pages show records as dicts (data.registry), and Jinja reads `opening.title` by trying the
attribute first and the key only after AttributeError was raised and caught: a few microseconds
each, over a thousand times on a match page. For an exact `dict` an attribute exists only when
`dict` itself has it (`items`, `get`, ...), so asking that first gives the same answer without
the exception."""
from __future__ import annotations

from flask.templating import Environment


class RecordEnvironment(Environment):
    def getattr(self, obj, attribute):
        if type(obj) is dict and not hasattr(dict, attribute):
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)
