/* The SQL of the indicators: the values come from indicator_values()
 * (db/functions/indicators.sql); here, what is withheld and how each
 * figure stands against its target. */
#ifndef INDICATORS_SQL_H
#define INDICATORS_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* Rebuilds the rollups of the days written since the last call. */
#define INDICATORS_SQL_REFRESH "SELECT indicator_refresh()"

/* The baseline a relative target compares with (x: an indicators row joined
 * with the computed baseline b_value, b_sample; $6 the smallest sample shown;
 * $8 the baseline period's days, $9 the period's): the one set with PUT
 * /v1/targets/{code}, else the figure of the baseline period, withheld when
 * computed on too few or listed in $11 (disclosure control); a count is
 * scaled to the period's length (0 with no data). */
#define INDICATOR_SQL_BASE                                                                         \
    "CASE WHEN baseline_value IS NOT NULL THEN baseline_value "                                    \
    "WHEN (b_sample > 0 AND b_sample < $6::int) OR code = ANY($11::text[]) THEN NULL "             \
    "WHEN unit = 'count' THEN round(coalesce(b_value, 0) * $9::numeric / $8::int, 2) "            \
    "ELSE b_value END"

/* The goal a relative target sets from the baseline `base` (i). */
#define INDICATOR_SQL_GOAL_OF(base)                                                                \
    "CASE WHEN target_kind = 'relative_change' THEN round(" base " * (1 + "                        \
    "target_value / 100), 2) ELSE target_value END"
#define INDICATOR_SQL_GOAL                                                                         \
    "CASE WHEN i.target_kind = 'relative_change' THEN round(i.baseline_value * (1 + "              \
    "i.target_value / 100), 2) ELSE i.target_value END"

/* The baseline of each indicator (x as above) as JSON: its value, period
 * (first/last day), source (set, or before_campaign) and whether withheld. */
#define INDICATOR_SQL_BASE_JSON                                                                    \
    "json_build_object('value', base, 'period', base_period, 'source', CASE WHEN baseline_value "  \
    "IS NOT NULL THEN 'set' ELSE 'before_campaign' END, 'suppressed', baseline_value IS NULL AND " \
    "((b_sample > 0 AND b_sample < $6::int) OR code = ANY($11::text[])))"

/* The computed baselines (b) of [$7 - $8 days, $7) for the scope $3, $4, $5;
 * $7 CAMPAIGN_START, $8 the baseline's length in days. */
#define INDICATOR_SQL_BASELINE_VALUES                                                              \
    "indicator_values(paris_midnight($7::date - $8::int), paris_midnight($7::date), $3, "          \
    "$4::uuid, $5) b"
#define INDICATOR_SQL_BASE_PERIOD                                                                  \
    "CASE WHEN baseline_value IS NOT NULL THEN baseline_period ELSE ($7::date - $8::int)::text "   \
    "|| '/' || ($7::date - 1)::text END"

/* An indicator's label and definition in the language `lang` (a parameter,
 * 'fr' or 'en'; migration 018 holds both), as the columns label and
 * definition. */
#define INDICATOR_SQL_LABEL(lang)                                                                  \
    "CASE " lang "::text WHEN 'en' THEN label_en ELSE label_fr END"
#define INDICATOR_SQL_TEXTS(lang)                                                                  \
    INDICATOR_SQL_LABEL(lang) " AS label, CASE " lang "::text WHEN 'en' THEN definition_en "       \
                              "ELSE definition_fr END AS definition"

/* $1 first day, $2 last day (dates, Europe/Paris, inclusive), $3 commune, $4
 * place, $5 organisation, $6 the smallest sample shown, $7 CAMPAIGN_START, $8
 * the baseline's length in days, $9 the period's, $10 the codes withheld, $11
 * the codes whose baseline is withheld, $12 the language of the texts. One row
 * per indicator: code, label, definition, unit, value, numerator, denominator, sample_size, suppressed,
 * status, target_kind, target_value, goal, baseline_value, baseline_period
 * (all as text), then the row as JSON. status: no_data when the period shows
 * no figure (none, or withheld), no_baseline when a relative target's
 * baseline is unknown or withheld. */
#define INDICATORS_SQL_LIST                                                                        \
    "WITH x0 AS (SELECT i.*, " INDICATOR_SQL_TEXTS("$12") ", v.numerator, v.denominator, "         \
    "v.value, v.sample_size, "                                                                     \
    "(v.sample_size > 0 AND v.sample_size < $6::int) OR code = ANY($10::text[]) AS suppressed, "   \
    "b.value AS b_value, "                                                                         \
    "b.sample_size AS b_sample FROM indicators i JOIN indicator_values(paris_midnight($1::date), " \
    "paris_midnight($2::date + 1), $3, $4::uuid, $5) v USING (code) JOIN "                         \
    INDICATOR_SQL_BASELINE_VALUES " USING (code)), "                                               \
    "x1 AS (SELECT x0.*, " INDICATOR_SQL_BASE " AS base, " INDICATOR_SQL_BASE_PERIOD               \
    " AS base_period FROM x0), "                                                                   \
    "x AS (SELECT x1.*, " INDICATOR_SQL_GOAL_OF("base") " AS goal FROM x1), "                      \
    "y AS (SELECT x.*, CASE WHEN suppressed OR value IS NULL THEN 'no_data' WHEN goal IS NULL "    \
    "THEN 'no_baseline' "                                                                          \
    "WHEN target_kind = 'at_least' OR (target_kind = 'relative_change' AND target_value >= 0) "    \
    "THEN CASE WHEN value >= goal THEN 'on_track' ELSE 'off_track' END "                           \
    "ELSE CASE WHEN value <= goal THEN 'on_track' ELSE 'off_track' END END AS status FROM x) "     \
    "SELECT code, label, definition, unit, CASE WHEN suppressed THEN NULL ELSE value END, "        \
    "CASE WHEN suppressed THEN NULL ELSE numerator END, CASE WHEN suppressed THEN NULL ELSE "      \
    "denominator END, CASE WHEN suppressed THEN NULL ELSE sample_size END, suppressed, status, "   \
    "target_kind, target_value, goal, base, base_period, json_build_object('code', "              \
    "code, 'label', label, 'definition', definition, 'unit', unit, 'value', CASE WHEN suppressed " \
    "THEN NULL ELSE value END, 'numerator', CASE WHEN suppressed THEN NULL ELSE numerator END, "   \
    "'denominator', CASE WHEN suppressed THEN NULL ELSE denominator END, 'sample_size', CASE "     \
    "WHEN suppressed THEN NULL ELSE sample_size END, 'suppressed', suppressed, 'status', status, " \
    "'target', json_build_object('kind', target_kind, 'value', target_value, 'goal', goal), "      \
    "'baseline', " INDICATOR_SQL_BASE_JSON ")::text "                                              \
    "FROM y ORDER BY position"

/* $1 first day, $2 last day (unused but typed), $3, $4, $5 NULL (the whole
 * territory), $6 the smallest sample shown, $7 CAMPAIGN_START, $8 the
 * baseline's length in days, $9 the same, $10, $11 empty arrays (as the
 * list), $12 the language of the labels: every target and its baseline, as JSON. */
#define INDICATORS_SQL_TARGETS                                                                     \
    "WITH x0 AS (SELECT i.*, " INDICATOR_SQL_TEXTS("$12") ", b.value AS b_value, "                 \
    "b.sample_size AS b_sample FROM indicators i "                                                 \
    "JOIN " INDICATOR_SQL_BASELINE_VALUES " USING (code) WHERE $1::date <= $2::date AND "           \
    "cardinality($10::text[]) >= 0), "                                                             \
    "x1 AS (SELECT x0.*, " INDICATOR_SQL_BASE " AS base, " INDICATOR_SQL_BASE_PERIOD               \
    " AS base_period FROM x0) "                                                                    \
    "SELECT json_build_object('code', code, 'label', label, 'unit', unit, 'kind', target_kind, "   \
    "'value', target_value, 'goal', " INDICATOR_SQL_GOAL_OF("base") ", 'baseline', "               \
    INDICATOR_SQL_BASE_JSON ", 'updated_at', updated_at, 'updated_by', updated_by)::text "         \
    "FROM x1 ORDER BY position"

enum {
    IND_COL_CODE,
    IND_COL_LABEL,
    IND_COL_DEFINITION,
    IND_COL_UNIT,
    IND_COL_VALUE,
    IND_COL_NUMERATOR,
    IND_COL_DENOMINATOR,
    IND_COL_SAMPLE,
    IND_COL_SUPPRESSED,
    IND_COL_STATUS,
    IND_COL_TARGET_KIND,
    IND_COL_TARGET_VALUE,
    IND_COL_GOAL,
    IND_COL_BASELINE_VALUE,
    IND_COL_BASELINE_PERIOD,
    IND_COL_JSON,
    IND_COLUMNS = IND_COL_JSON
};

/* Secondary suppression over the rows of r (primary_cell: withheld for its own
 * small sample; order_key: a stable order): when exactly one row is withheld,
 * the shown row with the smallest sample is withheld too, so that the total
 * of the period minus the shown rows does not give the withheld one away. */
#define INDICATOR_SQL_SECONDARY(order_key)                                                         \
    "(NOT primary_cell AND sample_size > 0 AND (SELECT count(*) FROM r x WHERE x.primary_cell) "   \
    "= 1 AND " order_key " = (SELECT x." order_key " FROM r x WHERE NOT x.primary_cell AND "       \
    "x.sample_size > 0 ORDER BY x.sample_size, x." order_key " LIMIT 1))"

/* $1 first day, $2 last day, $3 commune, $4 place, $5 organisation, $6 the
 * smallest sample shown, $7 the code, $8 granularity (week: ISO weeks from
 * Monday; month), $9 the first days of the points withheld by disclosure
 * control (a date array). One row per bucket, clipped to the period: start, end (last
 * day), value, numerator, denominator, sample_size, suppressed (text), then
 * the point as JSON. No row when the code is unknown. */
#define INDICATORS_SQL_SERIES                                                                      \
    "WITH b AS (SELECT greatest(s::date, $1::date) AS first, least((s + ('1 ' || $8)::interval "   \
    "- interval '1 day')::date, $2::date) AS last FROM generate_series(date_trunc($8, "            \
    "$1::date), $2::date, ('1 ' || $8)::interval) s), "                                            \
    "r AS (SELECT b.first, b.last, v.*, v.sample_size > 0 AND v.sample_size < $6::int AS "         \
    "primary_cell FROM b CROSS JOIN LATERAL indicator_values(b.first::timestamp AT TIME ZONE "     \
    "'Europe/Paris', (b.last + 1)::timestamp AT TIME ZONE 'Europe/Paris', $3, $4::uuid, $5) v "    \
    "WHERE v.code = $7 AND EXISTS (SELECT 1 FROM indicators WHERE code = $7)), "                   \
    "p AS (SELECT r.*, primary_cell OR first = ANY($9::date[]) OR " INDICATOR_SQL_SECONDARY(       \
        "first") " AS suppressed FROM r) "                                                         \
                 "SELECT first, last, CASE WHEN suppressed THEN NULL ELSE value END, CASE WHEN "   \
                 "suppressed "                                                                     \
                 "THEN NULL ELSE numerator END, CASE WHEN suppressed THEN NULL ELSE denominator "  \
                 "END, CASE "                                                                      \
                 "WHEN suppressed THEN NULL ELSE sample_size END, suppressed, "                    \
                 "json_build_object('start', "                                                     \
                 "first, 'end', last, 'value', CASE WHEN suppressed THEN NULL ELSE value END, "    \
                 "'numerator', "                                                                   \
                 "CASE WHEN suppressed THEN NULL ELSE numerator END, 'denominator', CASE WHEN "    \
                 "suppressed THEN "                                                                \
                 "NULL ELSE denominator END, 'sample_size', CASE WHEN suppressed THEN NULL ELSE "  \
                 "sample_size "                                                                    \
                 "END, 'suppressed', suppressed)::text FROM p ORDER BY first"

enum { SERIES_COL_SUPPRESSED = 6, SERIES_COL_JSON = 7 };

/* Disclosure control (api/formats/disclosure.h): the sample sizes of the
 * table of a year × a partition. $1 the year's first day, $2 the partition
 * (org, commune or place), $3 the value asked for, $4 CAMPAIGN_START.
 * Columns of the table: 0 the year, 1..4 its quarters, 5..16 its months, 17
 * the 365 days before CAMPAIGN_START (the filtered baselines' period). Rows:
 * the whole territory ('*'), then every scope of the partition with data in
 * those periods. One row per scope, column and
 * indicator: scope, column, code, sample_size (as indicator_values_rollup
 * counts it, summed here per scope and period in one grouped read), whether
 * it is the scope asked for; the whole territory first, then by scope, column
 * and code. */
#define INDICATORS_SQL_DISCLOSURE_TABLE                                                            \
    "WITH p(col, first, last) AS (SELECT 0, $1::date, ($1::date + interval '1 year')::date - 1 "    \
    "UNION ALL SELECT q, ($1::date + (q - 1) * interval '3 months')::date, ($1::date + q * "       \
    "interval '3 months')::date - 1 FROM generate_series(1, 4) q "                                 \
    "UNION ALL SELECT 4 + m, ($1::date + (m - 1) * interval '1 month')::date, ($1::date + m * "    \
    "interval '1 month')::date - 1 FROM generate_series(1, 12) m "                                 \
    "UNION ALL SELECT 17, $4::date - 365, $4::date - 1), "                                         \
    "w AS (SELECT $2::text || ':' || CASE WHEN $2::text = 'place' AND $3::text <> '' THEN "       \
    "$3::text::uuid::text ELSE $3::text END AS scope), "                                           \
    "d AS (SELECT x.scope, p.col, sum(x.sent_closed) AS sent_closed, sum(x.distributed) AS "       \
    "distributed, sum(x.answers) AS answers, sum(x.workshops) AS workshops, sum(x.recorded) AS "   \
    "recorded, sum(x.mobile_visits) AS mobile_visits FROM indicator_daily x JOIN p ON x.day "      \
    "BETWEEN p.first AND p.last WHERE x.scope = '*' OR x.scope LIKE $2::text || ':%' "             \
    "GROUP BY 1, 2), "                                                                             \
    "a AS (SELECT x.scope, p.col, sum(x.n) AS n FROM indicator_autonomy x JOIN p ON x.day "        \
    "BETWEEN p.first AND p.last AND x.next_day > p.last WHERE x.scope = '*' OR x.scope LIKE "      \
    "$2::text || ':%' GROUP BY 1, 2), "                                                            \
    "o AS (SELECT x.scope, p.col, sum(x.n) AS n FROM indicator_orientation x JOIN p ON x.day "     \
    "BETWEEN p.first AND p.last WHERE x.scope = '*' OR x.scope LIKE $2::text || ':%' "             \
    "GROUP BY 1, 2), "                                                                             \
    "s AS (SELECT '*' AS scope UNION SELECT scope FROM d UNION SELECT scope FROM a UNION "         \
    "SELECT scope FROM o), "                                                                       \
    "c(code) AS (SELECT code FROM indicators) "                                                    \
    "SELECT s.scope, p.col, c.code, coalesce(CASE WHEN c.code LIKE 'autonomy_%' THEN a.n WHEN "    \
    "c.code LIKE 'orientation_time_%' THEN o.n WHEN c.code = 'referral_completion_rate' THEN "     \
    "d.sent_closed WHEN c.code = 'devices_distributed' THEN d.distributed WHEN c.code LIKE "       \
    "'satisfaction_%' THEN d.answers WHEN c.code = 'workshop_fill_rate' THEN d.workshops WHEN "    \
    "c.code = 'workshop_attendance_rate' THEN d.recorded WHEN c.code = 'mobile_unit_visits' THEN " \
    "d.mobile_visits END, 0), s.scope = (SELECT scope FROM w) FROM s CROSS JOIN p CROSS JOIN c "   \
    "LEFT JOIN d ON d.scope = s.scope AND d.col = p.col LEFT JOIN a ON a.scope = s.scope AND "      \
    "a.col = p.col LEFT JOIN o ON o.scope = s.scope AND o.col = p.col "                            \
    "ORDER BY s.scope <> '*', s.scope, p.col, c.code"

/* Every scope of a partition at once. $1 first day, $2 last day, $3 the
 * partition (commune: every commune; place, org: those with data in the
 * period), $4 the indicator's code, $5 the smallest sample shown, $6 the
 * scopes withheld by disclosure control (text array, 'commune:32013' …).
 * Columns: key (INSEE code, place id, slug), name, value, numerator,
 * denominator, sample_size, suppressed (as text), the item as JSON, the
 * commune's GeoJSON feature (NULL for places and organisations); by key. A
 * scope without data has the figures of an empty scope (z0), as its single
 * call. */
#define INDICATORS_SQL_BY_SCOPE                                                                    \
    "WITH s AS (SELECT d.scope FROM indicator_daily d WHERE d.scope LIKE $3::text || ':%' AND "    \
    "d.day BETWEEN $1::date AND $2::date UNION SELECT a.scope FROM indicator_autonomy a WHERE "    \
    "a.scope LIKE $3::text || ':%' AND a.day BETWEEN $1::date AND $2::date UNION SELECT o.scope "  \
    "FROM indicator_orientation o WHERE o.scope LIKE $3::text || ':%' AND o.day BETWEEN "          \
    "$1::date AND $2::date), "                                                                     \
    "v AS (SELECT s.scope, x.* FROM s CROSS JOIN LATERAL indicator_values_rollup($1::date, "       \
    "$2::date, CASE WHEN s.scope LIKE 'commune:%' THEN substr(s.scope, 9) END, CASE WHEN "         \
    "s.scope LIKE 'place:%' THEN substr(s.scope, 7)::uuid END, CASE WHEN s.scope LIKE 'org:%' "    \
    "THEN substr(s.scope, 5) END) x WHERE x.code = $4::text), "                                    \
    "k AS (SELECT c.insee_code AS key, c.name, 'commune:' || c.insee_code AS scope, c.outline "    \
    "FROM communes c WHERE $3::text = 'commune' UNION ALL SELECT p.id::text, p.name, 'place:' || " \
    "p.id, NULL::geometry FROM places p JOIN s ON s.scope = 'place:' || p.id WHERE $3::text = "    \
    "'place' UNION ALL SELECT o.slug, o.name, 'org:' || o.slug, NULL::geometry FROM "              \
    "organizations o JOIN s ON s.scope = 'org:' || o.slug WHERE $3::text = 'org'), "               \
    "z0 AS (SELECT x.* FROM indicator_values_rollup($1::date, $2::date, 'none', NULL, NULL) x "    \
    "WHERE x.code = $4::text), "                                                                   \
    "y AS (SELECT k.key, k.name, k.outline, CASE WHEN v.scope IS NULL THEN z0.value ELSE v.value " \
    "END AS value, CASE WHEN v.scope IS NULL THEN z0.numerator ELSE v.numerator END AS "           \
    "numerator, CASE WHEN v.scope IS NULL THEN z0.denominator ELSE v.denominator END AS "          \
    "denominator, coalesce(v.sample_size, z0.sample_size) AS sample_size, "                        \
    "coalesce(v.sample_size > 0 AND v.sample_size < $5::int, false) OR k.scope = ANY($6::text[]) " \
    "AS suppressed FROM k CROSS JOIN z0 LEFT JOIN v USING (scope)), "                              \
    "z AS (SELECT y.*, json_build_object(CASE $3::text WHEN 'commune' THEN 'commune' WHEN "        \
    "'place' THEN 'place_id' ELSE 'org' END, key, 'name', name, 'value', CASE WHEN suppressed "     \
    "THEN NULL ELSE value END, 'numerator', CASE WHEN suppressed THEN NULL ELSE numerator END, "   \
    "'denominator', CASE WHEN suppressed THEN NULL ELSE denominator END, 'sample_size', CASE "     \
    "WHEN suppressed THEN NULL ELSE sample_size END, 'suppressed', suppressed) AS item FROM y) "   \
    "SELECT key, name, CASE WHEN suppressed THEN NULL ELSE value END, CASE WHEN suppressed THEN "  \
    "NULL ELSE numerator END, CASE WHEN suppressed THEN NULL ELSE denominator END, CASE WHEN "     \
    "suppressed THEN NULL ELSE sample_size END, suppressed, item::text, CASE WHEN outline IS "     \
    "NOT NULL THEN json_build_object('type', 'Feature', 'geometry', ST_AsGeoJSON(outline, 6)"      \
    "::json, 'properties', item)::text END FROM z ORDER BY key"

enum { BY_COL_SUPPRESSED = 6, BY_COL_JSON = 7, BY_COL_FEATURE = 8 };

/* $1 code, $2 the language: its label and unit. */
#define INDICATORS_SQL_ONE                                                                         \
    "SELECT " INDICATOR_SQL_LABEL("$2") ", unit FROM indicators WHERE code = $1"

/* $1 first day, $2 last day, $3 organisation (NULL: all), $4 the smallest
 * sample shown. Per route (the kinds of the sending and the receiving
 * organisations), over the referrals sent in the period: how many, the median
 * orientation time of those accepted, the completion rate of those closed
 * (from indicator_referral_facts, 008_indicator_rollups.sql).
 * Columns: from_kind, to_kind, referrals, accepted, median hours, completed,
 * closed, completion rate, suppressed (text), then the row as JSON. */
#define INDICATORS_SQL_ROUTES                                                                      \
    "WITH sent AS (SELECT from_kind, to_kind, hours, completed, closed FROM "                      \
    "indicator_referral_facts WHERE sent_day BETWEEN $1::date AND $2::date AND ($3::text IS NULL " \
    "OR from_org = $3 OR to_org = $3)), "                                                          \
    "g AS (SELECT from_kind, to_kind, count(*) AS referrals, count(hours) AS accepted, "           \
    "round((percentile_cont(0.5) WITHIN GROUP (ORDER BY hours))::numeric, 1) AS median, "          \
    "count(*) FILTER (WHERE completed) AS completed, count(*) FILTER (WHERE closed) AS closed "     \
    "FROM sent GROUP BY 1, 2), "                                                                   \
    "r AS (SELECT g.*, round(100.0 * completed / nullif(closed, 0), 1) AS rate, referrals < "      \
    "$4::int AS primary_cell, referrals AS sample_size, from_kind || '>' || to_kind AS route "     \
    "FROM g), "                                                                                    \
    "h AS (SELECT r.*, primary_cell OR " INDICATOR_SQL_SECONDARY(                                  \
        "route") " AS suppressed FROM r) "                                                         \
                 "SELECT from_kind, to_kind, CASE WHEN suppressed THEN NULL ELSE referrals END, "  \
                 "CASE WHEN "                                                                      \
                 "suppressed THEN NULL ELSE accepted END, CASE WHEN suppressed THEN NULL ELSE "    \
                 "median END, "                                                                    \
                 "CASE WHEN suppressed THEN NULL ELSE completed END, CASE WHEN suppressed THEN "   \
                 "NULL ELSE "                                                                      \
                 "closed END, CASE WHEN suppressed THEN NULL ELSE rate END, suppressed, "          \
                 "json_build_object("                                                              \
                 "'from_kind', from_kind, 'to_kind', to_kind, 'referrals', CASE WHEN suppressed "  \
                 "THEN NULL "                                                                      \
                 "ELSE referrals END, 'accepted', CASE WHEN suppressed THEN NULL ELSE accepted "   \
                 "END, "                                                                           \
                 "'orientation_time_median_hours', CASE WHEN suppressed THEN NULL ELSE median "    \
                 "END, "                                                                           \
                 "'completed', CASE WHEN suppressed THEN NULL ELSE completed END, 'closed', CASE " \
                 "WHEN "                                                                           \
                 "suppressed THEN NULL ELSE closed END, 'referral_completion_rate', CASE WHEN "    \
                 "suppressed THEN "                                                                \
                 "NULL ELSE rate END, 'suppressed', suppressed)::text FROM h ORDER BY from_kind, " \
                 "to_kind"

enum { ROUTES_COL_SUPPRESSED = 8, ROUTES_COL_JSON = 9 };

/* A target as PUT /v1/targets/{code} answers it (i). */
#define INDICATOR_SQL_TARGET_JSON                                                                  \
    "json_build_object('code', i.code, 'kind', i.target_kind, 'value', i.target_value, "           \
    "'goal', " INDICATOR_SQL_GOAL                                                                  \
    ", 'baseline', json_build_object('value', i.baseline_value, 'period', "                        \
    "i.baseline_period), 'updated_at', i.updated_at, 'updated_by', i.updated_by)"

/* $1 code, $2 kind, $3 value, $4 baseline value, $5 baseline period, $6 who. */
#define INDICATORS_SQL_PUT_TARGET                                                                  \
    "UPDATE indicators i SET target_kind = $2, target_value = $3::numeric, baseline_value = "      \
    "$4::numeric, baseline_period = $5, updated_at = now(), updated_by = $6 WHERE code = $1 "      \
    "RETURNING " INDICATOR_SQL_TARGET_JSON "::text"

/* clang-format on */

#endif
