"""Cloning the template schema for a new tenant.

django-tenants re-creates its (large) plpgsql ``clone_schema()`` function before every
clone; with a hundred schemas that alone made each onboarding cost seconds (plan and
catalogue caches invalidated each time). Here the function is installed once, and again
only when django-tenants ships a different one (its hash is kept as the function's comment).
"""

import hashlib

from django.conf import settings
from django.db import connection
from django_tenants.clone import CLONE_SCHEMA_FUNCTION, CloneSchema

FUNCTION = "public.clone_schema(text, text, cloneparms[])"


class InstalledOnceCloneSchema(CloneSchema):
    def _create_clone_schema_function(self):
        db_user = settings.DATABASES["default"].get("USER", None) or "postgres"
        source = CLONE_SCHEMA_FUNCTION.format(db_user=db_user)
        version = hashlib.sha256(source.encode()).hexdigest()
        with connection.cursor() as cursor:
            cursor.execute("SELECT obj_description(to_regprocedure(%s), 'pg_proc')", [FUNCTION])
            row = cursor.fetchone()
            if row and row[0] == version:
                return
            cursor.execute(source)
            cursor.execute(f"COMMENT ON FUNCTION {FUNCTION} IS '{version}'")  # hex digits only
