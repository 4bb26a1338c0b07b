"""A queryset compiled to SQL once per process, then run with other values in its place.

For the lookups on the hottest paths (a public ask by its slugs, for every signature; the
response a confirmation mail is for, for every mail): building such a queryset and
compiling it to SQL (the columns of every table selected, the joins, the ordering) cost
more CPU than running it (`manage.py bench signatures`). Here the queryset is built once
with a mark in place of each value that changes, compiled, and each lookup runs that SQL
with the values put where the marks were, building instances as Django's ModelIterable
does (the fields' own conversions, select_related's instances).

Trade-offs, and why they hold for its callers:
- The SQL is the ORM's own, so the lookup cannot drift from the queryset it stands for;
  what the queryset filters on is the callers' business, as before.
- A mark must reach the SQL as a parameter equal to itself, exactly once; compiling
  checks this and refuses otherwise (ImproperlyConfigured), so a mark that the ORM
  turned into something else, or a mark equal to a constant of the query, fails at once
  rather than running the wrong SQL. Pick marks no real value is (a slug with a NUL
  byte, a negative primary key).
- Only plain querysets of model instances (with select_related) are supported: no
  annotations, prefetches, only()/defer() or values(); `first()` asks for the first row
  in the queryset's own order (LIMIT 1).
- One compilation per database alias and process; the models' fields do not change
  while a process runs.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models.query import get_related_populators


class CompiledQuery:
    """`make(**marks)` returns the queryset; `first(**values)` runs it with `values` in place
    of the marks (same names) and returns the first instance or None."""

    def __init__(self, make, **marks):
        self.make = make
        self.marks = marks
        self._compiled = {}

    def first(self, using="default", **values):
        sql, template, build = self._compiled.get(using) or self._compile(using)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [values[value] if is_mark else value for is_mark, value in template])
            row = cursor.fetchone()
        return None if row is None else build(row)

    def _compile(self, alias):
        # LIMIT 1: the database stops at the first row rather than sending every match.
        queryset = self.make(**self.marks).using(alias)[:1]
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        # Each parameter is (True, the name of the value put there) for a mark, else (False, itself).
        template = [(True, name) if name else (False, param) for param in params for name in [self._name_of(param)]]
        if sorted(name for is_mark, name in template if is_mark) != sorted(self.marks):
            model = queryset.model.__name__
            raise ImproperlyConfigured(f"the marks of {model}'s compiled query are not each one parameter")
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        attnames = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, alias)
        converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])
        model = klass_info["model"]

        def build(row):
            if converters:
                row = next(compiler.apply_converters([row], converters))
            instance = model.from_db(alias, attnames, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            return instance

        compiled = (sql, template, build)
        self._compiled[alias] = compiled
        return compiled

    def _name_of(self, param):
        """The name of the mark `param` is (same type and value: True is no mark for 1), or None."""
        for name, mark in self.marks.items():
            if type(param) is type(mark) and param == mark:
                return name
        return None
