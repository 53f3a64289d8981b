-- The lookup secret (mã tra cứu) of a dossier: 8 characters of Crockford's base32 alphabet (no I, L, O, U), 40
-- bits drawn from gen_random_uuid(), whose first 10 hex digits are random bits from the server's strong random
-- source (a version 4 UUID's version and variant bits come later). The column's default, so every intake gets one
-- in the statement that writes it; adding the column with this volatile default draws one for every existing
-- dossier (the backfill). src/domain/lookup.ts holds the rule: alphabet, length, how a typed check is read.
CREATE FUNCTION dossier_lookup_secret() RETURNS text
LANGUAGE sql VOLATILE PARALLEL RESTRICTED AS $$
  SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.bits >> (35 - 5 * i)) & 31)::int + 1, 1), '' ORDER BY i)
  FROM (SELECT ('x' || substr(u, 1, 8) || substr(u, 10, 2))::bit(40)::bigint AS bits
    FROM (SELECT gen_random_uuid()::text AS u) g) r,
    generate_series(0, 7) AS i
$$;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "lookup_secret" text DEFAULT dossier_lookup_secret() NOT NULL;
