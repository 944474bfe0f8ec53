-- Pre-aggregated indicators. indicator_values() scanned every input of the
-- period: at national scale (gen-data --scale 1) the list took 3 s for the
-- département. The figures are now summed from per-day rollups, kept per
-- scope: the whole territory ('*'), one organisation ('org:<slug>'), one
-- place ('place:<uuid>'), one commune ('commune:<insee>'). They stay exact:
--  * additive figures (counts, sums) are summed over the days of the period;
--  * the orientation percentiles come from a histogram of the hours (buckets
--    of 1/16 of a doubling) that finds the bucket holding each needed rank,
--    then the exact value is read among that bucket's few facts;
--  * a participant counts for autonomy through their latest after/follow_up
--    assessment of the period: each such assessment is stored with the day of
--    the participant's next one (in the same scope), and counts when that
--    next one falls after the period.
-- Writes mark the days they change (statement triggers, one row per day and
-- writing transaction, so that writers never wait on each other); readers call
-- indicator_refresh(), which rebuilds the marked days (usually today) under
-- an advisory lock before reading. A request with two filters or more, or
-- with bounds that are not Paris midnights, still computes from the inputs
-- (indicator_values_raw).

-- Days whose rollups are out of date, one row per day and writing transaction.
CREATE TABLE indicator_dirty_days (
    day  date NOT NULL,
    xid  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (day, xid)
);

-- Additive figures per scope and Paris day.
CREATE TABLE indicator_daily (
    scope           text NOT NULL,
    day             date NOT NULL,
    sent_closed     bigint NOT NULL DEFAULT 0,  -- referrals sent that day, now closed
    sent_completed  bigint NOT NULL DEFAULT 0,  -- … of which completed
    distributed     bigint NOT NULL DEFAULT 0,  -- devices distributed
    answers         bigint NOT NULL DEFAULT 0,  -- satisfaction answers
    answers_sum     bigint NOT NULL DEFAULT 0,
    answers_4_plus  bigint NOT NULL DEFAULT 0,
    workshops       bigint NOT NULL DEFAULT 0,  -- workshops starting that day, not cancelled
    seats           bigint NOT NULL DEFAULT 0,
    confirmed       bigint NOT NULL DEFAULT 0,
    recorded        bigint NOT NULL DEFAULT 0,  -- confirmed registrations with attendance
    attended        bigint NOT NULL DEFAULT 0,
    mobile_visits   bigint NOT NULL DEFAULT 0,  -- people counted at stops
    PRIMARY KEY (scope, day)
);
CREATE INDEX indicator_daily_day ON indicator_daily (day);

-- One row per accepted event: its Paris day, hours since sending, bucket.
CREATE TABLE indicator_orientation_times (
    event_id  bigint PRIMARY KEY,
    day       date NOT NULL,
    bucket    integer NOT NULL,
    hours     float8 NOT NULL,
    from_org  text NOT NULL,
    to_org    text NOT NULL,
    place_id  uuid,
    commune   text
);
CREATE INDEX indicator_orientation_times_bucket ON indicator_orientation_times (bucket, day, hours);
CREATE INDEX indicator_orientation_times_day ON indicator_orientation_times (day);

CREATE TABLE indicator_orientation (
    scope   text NOT NULL,
    day     date NOT NULL,
    bucket  integer NOT NULL,
    n       bigint NOT NULL,
    PRIMARY KEY (scope, day, bucket) INCLUDE (n)   -- the histogram of a period, from the index
);
CREATE INDEX indicator_orientation_day ON indicator_orientation (day);

-- after/follow_up assessments with an earlier before, per scope, by their day
-- and the day of the participant's next after/follow_up ('infinity': none).
CREATE TABLE indicator_autonomy (
    scope       text NOT NULL,
    day         date NOT NULL,
    next_day    date NOT NULL,
    n           bigint NOT NULL,
    autonomous  bigint NOT NULL,
    gain_sum    numeric NOT NULL,
    PRIMARY KEY (scope, day, next_day)
);
CREATE INDEX indicator_autonomy_day ON indicator_autonomy (day);

-- One row per referral, by the Paris day it was sent, with the kinds of its
-- two partners and its hours to acceptance (NULL: not accepted): the routes
-- (GET /v1/indicators/routes) read a period of it through one index.
CREATE TABLE indicator_referral_facts (
    referral_id  uuid PRIMARY KEY,
    sent_day     date NOT NULL,
    from_org     text NOT NULL,
    to_org       text NOT NULL,
    from_kind    text NOT NULL,
    to_kind      text NOT NULL,
    hours        float8,
    completed    boolean NOT NULL,
    closed       boolean NOT NULL
);
CREATE INDEX indicator_referral_facts_day ON indicator_referral_facts (sent_day)
    INCLUDE (from_kind, to_kind, hours, completed, closed, from_org, to_org);

-- What the rebuild reads by time.
CREATE INDEX referrals_created ON referrals (created_at);
CREATE INDEX referral_events_accepted ON referral_events (at) WHERE type = 'accepted';

-- The functions and triggers that fill these tables are in
-- db/functions/indicators.sql, applied by migrate after the migrations. The
-- data recorded so far is marked here, by the same days the triggers use
-- (paris_day()); indicators.sql rebuilds the marked days and analyses the
-- tables it filled.
INSERT INTO indicator_dirty_days (day)
SELECT (created_at AT TIME ZONE 'Europe/Paris')::date FROM referrals
UNION SELECT (at AT TIME ZONE 'Europe/Paris')::date FROM referral_events WHERE type = 'accepted'
UNION SELECT (starts_at AT TIME ZONE 'Europe/Paris')::date FROM workshops
UNION SELECT (taken_at AT TIME ZONE 'Europe/Paris')::date FROM assessments
UNION SELECT (created_at AT TIME ZONE 'Europe/Paris')::date FROM feedback
UNION SELECT (at AT TIME ZONE 'Europe/Paris')::date FROM device_events WHERE type = 'distributed'
UNION SELECT (visited_at AT TIME ZONE 'Europe/Paris')::date FROM visits WHERE stop_id IS NOT NULL;
