-- The campaign's indicators: their definitions, targets and baselines (one
-- row each). The one function that computes them all for a period and a
-- scope, so that every dashboard shows the same numbers, is indicator_values()
-- in db/functions/indicators.sql.
CREATE TABLE indicators (
    code             text PRIMARY KEY,
    position         integer NOT NULL UNIQUE,
    label            text NOT NULL,
    definition       text NOT NULL,
    unit             text NOT NULL CHECK (unit IN ('percent', 'points', 'hours', 'count', 'rating')),
    target_kind      text NOT NULL CHECK (target_kind IN ('relative_change', 'at_least', 'at_most')),
    target_value     numeric NOT NULL,
    baseline_value   numeric,
    baseline_period  text CHECK (length(baseline_period) BETWEEN 1 AND 100),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text
);

INSERT INTO indicators (code, position, label, definition, unit, target_kind, target_value) VALUES
('autonomy_rate', 1, 'Autonomie après les ateliers',
 'Participants whose latest after or follow_up self-assessment in the period is autonomous (score at least 66.7), divided by the participants with such an assessment and an earlier before assessment of their own (same organisation and participant_ref).',
 'percent', 'relative_change', 20),
('autonomy_gain', 2, 'Progression du score d''autonomie',
 'Mean, over the same participants, of the score of their latest after or follow_up assessment in the period minus the score of their latest before assessment preceding it.',
 'points', 'at_least', 10),
('orientation_time_median_hours', 3, 'Délai d''orientation (médiane)',
 'Median of the hours between a referral being sent and being accepted, over the referrals accepted in the period (continuous percentile: the mean of the two middle values for an even count).',
 'hours', 'relative_change', -30),
('orientation_time_p80_hours', 4, 'Délai d''orientation (80e centile)',
 'The 80th percentile (continuous) of the same hours: 80 % of the referrals accepted in the period were accepted within it.',
 'hours', 'relative_change', -30),
('referral_completion_rate', 5, 'Orientations menées à terme',
 'Referrals sent in the period that are completed, divided by the referrals sent in the period that are closed (completed, declined, cancelled or expired).',
 'percent', 'at_least', 70),
('devices_distributed', 6, 'Équipements reconditionnés distribués',
 'Devices distributed in the period (distributed events: sale, loan or donation).',
 'count', 'relative_change', 40),
('satisfaction_mean', 7, 'Satisfaction moyenne',
 'Mean rating (1 to 5) of the satisfaction answers given in the period.',
 'rating', 'at_least', 4),
('satisfaction_share_4_plus', 8, 'Participants satisfaits (4 ou 5)',
 'Satisfaction answers of the period rated 4 or 5, divided by all answers of the period.',
 'percent', 'at_least', 80),
('workshop_fill_rate', 9, 'Remplissage des ateliers',
 'Confirmed registrations of the workshops (not cancelled) starting in the period, divided by their seats.',
 'percent', 'at_least', 75),
('workshop_attendance_rate', 10, 'Présence aux ateliers',
 'Confirmed registrations marked attended, divided by the confirmed registrations whose attendance was recorded, of the workshops starting in the period.',
 'percent', 'at_least', 80),
('mobile_unit_visits', 11, 'Fréquentation du bus numérique',
 'People counted at the stops of mobile units (visits recorded at a stop) in the period.',
 'count', 'relative_change', 20);
