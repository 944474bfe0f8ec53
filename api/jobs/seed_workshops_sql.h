/* The SQL of `seed`: the demo workshops (see seed_workshops.c). */
#ifndef SEED_WORKSHOPS_SQL_H
#define SEED_WORKSHOPS_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* Each row: place (source, source_id), owner, title, theme, audience (array
 * literal), local start and end (Europe/Paris), capacity, series key or NULL,
 * whether it happens at the bus's stop of that day. No parameters; one row
 * affected per workshop added. */
#define SEED_WORKSHOPS_SQL_DEMO                                                                    \
    "WITH v (source, source_id, owner, title, theme, audience, starts, ends, capacity, series, "   \
    "at_stop, description) AS (VALUES "                                                            \
    "('inclusion-api-demo', 'demo-salle-coeur-astarac', 'gers-numerique', "                        \
    " 'Lancement de la Semaine du Numérique (démo)', 'other', '{everyone}', "                      \
    " '2026-12-08 09:00', '2026-12-08 12:30', 120, NULL, false, "                                  \
    " 'Matinée inaugurale : coordination locale, aller-vers, numérique responsable.'), "           \
    "('anct-france-services', '1717', 'france-services-mirande', 'Premiers clics (démo)', "        \
    " 'first_steps', '{beginners,seniors}', '2026-12-08 14:00', '2026-12-08 16:00', 8, "           \
    " 'premiers-clics-mirande-2026', false, 'Séance 1 sur 4 : allumer, cliquer, écrire.'), "       \
    "('anct-france-services', '1717', 'france-services-mirande', 'Premiers clics (démo)', "        \
    " 'first_steps', '{beginners,seniors}', '2026-12-15 14:00', '2026-12-15 16:00', 8, "           \
    " 'premiers-clics-mirande-2026', false, 'Séance 2 sur 4 : naviguer sur internet.'), "          \
    "('anct-france-services', '1717', 'france-services-mirande', 'Premiers clics (démo)', "        \
    " 'first_steps', '{beginners,seniors}', '2026-12-22 14:00', '2026-12-22 16:00', 8, "           \
    " 'premiers-clics-mirande-2026', false, 'Séance 3 sur 4 : la messagerie.'), "                  \
    "('anct-france-services', '1717', 'france-services-mirande', 'Premiers clics (démo)', "        \
    " 'first_steps', '{beginners,seniors}', '2026-12-29 14:00', '2026-12-29 16:00', 8, "           \
    " 'premiers-clics-mirande-2026', false, 'Séance 4 sur 4 : une démarche en ligne.'), "          \
    "('inclusion-api-demo', 'demo-mediatheque-auch', 'gers-numerique', "                           \
    " 'Le smartphone pour les seniors (démo)', 'smartphone', '{seniors}', "                        \
    " '2026-12-09 10:00', '2026-12-09 12:00', 10, NULL, false, NULL), "                            \
    "('inclusion-api-demo', 'demo-mediatheque-mirande', 'gers-numerique', "                        \
    " 'Parents et écrans (démo)', 'parents_and_screens', '{parents,families}', "                   \
    " '2026-12-09 18:00', '2026-12-09 20:00', 15, NULL, false, NULL), "                            \
    "('anct-france-services', '191', 'france-services-fleurance', "                                \
    " 'Arnaques en ligne : les repérer (démo)', 'cybersecurity', '{working_people,everyone}', "    \
    " '2026-12-10 18:30', '2026-12-10 20:00', 12, NULL, false, NULL), "                            \
    "('inclusion-api-demo', 'demo-bus-numerique', 'gers-numerique', "                              \
    " 'Le bus numérique au marché de Marciac (démo)', 'online_procedures', '{everyone}', "         \
    " '2026-12-10 09:30', '2026-12-10 12:30', 6, NULL, true, NULL), "                              \
    "('inclusion-api-demo', 'demo-tiers-lieu-fleurance', 'gers-numerique', "                       \
    " 'FranceConnect et identité numérique (démo)', 'digital_identity', '{everyone}', "            \
    " '2026-12-11 14:00', '2026-12-11 16:00', 10, NULL, false, NULL), "                            \
    "('inclusion-api-demo', 'demo-mediatheque-auch', 'gers-numerique', "                           \
    " 'Remise d''ordinateurs reconditionnés (démo)', 'device_handover', '{everyone}', "            \
    " '2026-12-12 10:00', '2026-12-12 12:00', 20, NULL, false, NULL)) "                            \
    "INSERT INTO workshops (owner, place_id, stop_id, title, theme, audience, starts_at, ends_at, " \
    "capacity, series_id, description) "                                                           \
    "SELECT v.owner, p.id, s.id, v.title, v.theme, v.audience::text[], "                           \
    "v.starts::timestamp AT TIME ZONE 'Europe/Paris', v.ends::timestamp AT TIME ZONE "             \
    "'Europe/Paris', "                                                                             \
    "v.capacity, CASE WHEN v.series IS NULL THEN NULL ELSE md5(v.series)::uuid END, v.description " \
    "FROM v JOIN places p ON p.source = v.source AND p.source_id = v.source_id "                   \
    "LEFT JOIN place_stops s ON v.at_stop AND s.place_id = p.id "                                  \
    "AND s.starts_at = v.starts::timestamp AT TIME ZONE 'Europe/Paris' "                           \
    "WHERE NOT EXISTS (SELECT 1 FROM workshops x WHERE x.owner = v.owner AND x.title = v.title "   \
    "AND x.starts_at = v.starts::timestamp AT TIME ZONE 'Europe/Paris')"

/* clang-format on */

#endif
