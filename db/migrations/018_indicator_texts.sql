-- Indicator labels and definitions in French and in English (issue 20): the
-- answers give the negotiated language (Accept-Language; a CSV its own, see
-- api/resources/indicators/indicators.c). Until now `label` was French and
-- `definition` English; each text now has a column per language, every one
-- of them filled.
ALTER TABLE indicators RENAME COLUMN label TO label_fr;
ALTER TABLE indicators RENAME COLUMN definition TO definition_en;
ALTER TABLE indicators ADD COLUMN label_en text, ADD COLUMN definition_fr text;

UPDATE indicators i SET label_en = t.label_en, definition_fr = t.definition_fr
FROM (VALUES
('autonomy_rate', 'Autonomy after the workshops',
 'Participants dont la dernière autoévaluation « après » ou « suivi » de la période les dit autonomes (score d''au moins 66,7), divisés par les participants ayant une telle autoévaluation et une autoévaluation « avant » antérieure (même organisation et même participant_ref).'),
('autonomy_gain', 'Autonomy score gain',
 'Moyenne, sur ces mêmes participants, du score de leur dernière autoévaluation « après » ou « suivi » de la période moins le score de leur dernière autoévaluation « avant » qui la précède.'),
('orientation_time_median_hours', 'Referral time (median)',
 'Médiane des heures écoulées entre l''envoi d''une orientation et son acceptation, sur les orientations acceptées dans la période (centile continu : moyenne des deux valeurs du milieu pour un effectif pair).'),
('orientation_time_p80_hours', 'Referral time (80th percentile)',
 'Le 80e centile (continu) de ces mêmes heures : 80 % des orientations acceptées dans la période l''ont été dans ce délai.'),
('referral_completion_rate', 'Referrals completed',
 'Orientations envoyées dans la période et menées à terme, divisées par les orientations envoyées dans la période et clôturées (menées à terme, refusées, annulées ou expirées).'),
('devices_distributed', 'Refurbished devices distributed',
 'Équipements distribués dans la période (événements de distribution : vente, prêt ou don).'),
('satisfaction_mean', 'Mean satisfaction',
 'Note moyenne (de 1 à 5) des réponses de satisfaction données dans la période.'),
('satisfaction_share_4_plus', 'Satisfied participants (4 or 5)',
 'Réponses de satisfaction de la période notées 4 ou 5, divisées par toutes les réponses de la période.'),
('workshop_fill_rate', 'Workshop fill rate',
 'Inscriptions confirmées (non annulées) aux ateliers commençant dans la période, divisées par leurs places.'),
('workshop_attendance_rate', 'Workshop attendance',
 'Inscriptions confirmées marquées présentes, divisées par les inscriptions confirmées dont la présence a été relevée, des ateliers commençant dans la période.'),
('mobile_unit_visits', 'Digital bus attendance',
 'Personnes accueillies par les unités mobiles dans la période : les visites enregistrées à un arrêt d''une unité mobile et celles enregistrées à un lieu itinérant lui-même (itinérance « itinerant »), chaque visite comptée une fois.')
) AS t(code, label_en, definition_fr)
WHERE i.code = t.code;

-- An indicator added later without its texts in both languages is refused.
ALTER TABLE indicators ALTER COLUMN label_en SET NOT NULL, ALTER COLUMN definition_fr SET NOT NULL;
