-- A step allotted in working hours holds one whole minute at least (src/processes/schemas.ts). Before, a value
-- within rounding of 0 minutes (1e-12 hours) was accepted as whole minutes, and the step clock could not start
-- such a step: every intake of the procedure under that version failed, so no dossier follows one. Such an
-- allotment (or online allotment) becomes one minute, the least the API now takes; the steps keep their order.
WITH "fixed" AS (
  SELECT p."procedure_code", p."version",
    jsonb_agg(e.s || coalesce(m.minute, '{}'::jsonb) ORDER BY e.i) AS "steps"
  FROM "procedure_processes" AS p
  CROSS JOIN LATERAL jsonb_array_elements(p."steps") WITH ORDINALITY AS e(s, i)
  CROSS JOIN LATERAL (
    SELECT jsonb_object_agg(k, (e.s -> k) || jsonb_build_object('value', 1::numeric / 60)) AS minute
    FROM unnest(ARRAY['allotment', 'onlineAllotment']) AS k
    WHERE jsonb_typeof(e.s -> k) = 'object' AND e.s -> k ->> 'unit' = 'hours'
      AND round((e.s -> k ->> 'value')::numeric * 60) = 0
  ) AS m
  GROUP BY p."procedure_code", p."version"
)
UPDATE "procedure_processes" AS p
SET "steps" = "fixed"."steps"
FROM "fixed"
WHERE "fixed"."procedure_code" = p."procedure_code" AND "fixed"."version" = p."version"
  AND "fixed"."steps" <> p."steps";
