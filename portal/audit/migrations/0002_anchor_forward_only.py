"""The database refuses to move a journal anchor backwards or to delete it while its
collectivité exists; deleting the collectivité deletes its anchor (ON DELETE CASCADE).

An anchor only moves forward (seq grows, or stays with the same hash): rewinding the chain
after cutting its tail would need the anchor to go back too. TRUNCATE stays allowed: only the
table's owner may run it (the test runner's flush does), the same role that could drop the
trigger anyway. Existing journals get their anchor from their current last entry.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION public.audit_journal_anchor_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        -- Only the cascade of the collectivité's own deletion (its row is already gone).
        IF EXISTS (SELECT 1 FROM public.tenants_collectivite WHERE id = OLD.collectivite_id) THEN
            RAISE EXCEPTION 'audit_journalanchor is forward-only: DELETE refused'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.collectivite_id <> OLD.collectivite_id
       OR NEW.seq < OLD.seq
       OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash) THEN
        RAISE EXCEPTION 'audit_journalanchor is forward-only: rewind refused (% -> %)',
            OLD.seq, NEW.seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DO $$
DECLARE fk text;
BEGIN
    FOR fk IN SELECT conname FROM pg_constraint
              WHERE conrelid = 'public.audit_journalanchor'::regclass AND contype = 'f'
    LOOP
        EXECUTE format('ALTER TABLE public.audit_journalanchor DROP CONSTRAINT %I', fk);
    END LOOP;
END $$;
ALTER TABLE public.audit_journalanchor ADD CONSTRAINT audit_journalanchor_collectivite_fk
    FOREIGN KEY (collectivite_id) REFERENCES public.tenants_collectivite (id) ON DELETE CASCADE;
CREATE TRIGGER audit_journal_anchor_forward_only
    BEFORE UPDATE OR DELETE ON public.audit_journalanchor
    FOR EACH ROW EXECUTE FUNCTION public.audit_journal_anchor_forward_only();
"""

DROP = """
ALTER TABLE public.audit_journalanchor DROP CONSTRAINT audit_journalanchor_collectivite_fk;
ALTER TABLE public.audit_journalanchor ADD CONSTRAINT audit_journalanchor_collectivite_id_fk
    FOREIGN KEY (collectivite_id) REFERENCES public.tenants_collectivite (id)
    DEFERRABLE INITIALLY DEFERRED;
DROP TRIGGER IF EXISTS audit_journal_anchor_forward_only ON public.audit_journalanchor;
DROP FUNCTION IF EXISTS public.audit_journal_anchor_forward_only();
"""


def anchor_existing_journals(apps, schema_editor):
    Collectivite = apps.get_model("tenants", "Collectivite")
    with schema_editor.connection.cursor() as cursor:
        for pk, schema in Collectivite.objects.exclude(schema_name="public").values_list(
            "pk", "schema_name"
        ):
            table = f'"{schema}".sve_journalentry'
            cursor.execute("SELECT to_regclass(%s)", [table])
            if cursor.fetchone()[0] is None:
                continue
            cursor.execute(f"SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1")
            last = cursor.fetchone()
            if last:
                cursor.execute(
                    "INSERT INTO public.audit_journalanchor (collectivite_id, seq, hash, updated_at)"
                    " VALUES (%s, %s, %s, now()) ON CONFLICT DO NOTHING",
                    [pk, last[0], last[1]],
                )


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTION, DROP),
        migrations.RunPython(anchor_existing_journals, migrations.RunPython.noop),
    ]
