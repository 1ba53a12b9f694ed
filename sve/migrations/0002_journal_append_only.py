"""The journal refuses UPDATE, DELETE and TRUNCATE in the database itself (seed 000 art. 2:
traceability; append-only is a property of the table, not of the code).

The trigger function lives in the public schema (one definition shared by every tenant);
each tenant's table gets its triggers here, and tenants cloned from the template schema
inherit them with the table."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION public.sve_journal_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'sve_journalentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = """
CREATE TRIGGER sve_journal_no_update_delete
    BEFORE UPDATE OR DELETE ON sve_journalentry
    FOR EACH ROW EXECUTE FUNCTION public.sve_journal_append_only();
CREATE TRIGGER sve_journal_no_truncate
    BEFORE TRUNCATE ON sve_journalentry
    FOR EACH STATEMENT EXECUTE FUNCTION public.sve_journal_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS sve_journal_no_update_delete ON sve_journalentry;
DROP TRIGGER IF EXISTS sve_journal_no_truncate ON sve_journalentry;
"""


class Migration(migrations.Migration):
    dependencies = [("sve", "0001_initial")]

    operations = [migrations.RunSQL(FUNCTION + TRIGGERS, DROP)]
