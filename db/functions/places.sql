-- Functions of places. search_text() also stays in 002_places.sql, which
-- needs it to create the generated column places.search; restated here, the
-- text of this file is the one every database ends with.

-- Lower-case, accent-free text for search; IMMUTABLE so that it can feed a
-- generated column and an index (the unaccent dictionary is fixed).
CREATE OR REPLACE FUNCTION search_text(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

-- Jours fériés of metropolitan France (Easter by the anonymous Gregorian algorithm).
CREATE OR REPLACE FUNCTION french_public_holiday(d date) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
    y int := extract(year FROM d);
    a int := y % 19; b int := y / 100; c int := y % 100;
    dd int := b / 4; e int := b % 4; f int := (b + 8) / 25; g int := (b - f + 1) / 3;
    h int := (19 * a + b - dd - g + 15) % 30; i int := c / 4; k int := c % 4;
    l int := (32 + 2 * e + 2 * i - h - k) % 7; m int := (a + 11 * h + 22 * l) / 451;
    easter date := make_date(y, (h + l - 7 * m + 114) / 31, ((h + l - 7 * m + 114) % 31) + 1);
BEGIN
    RETURN to_char(d, 'MM-DD') IN ('01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25')
        OR d IN (easter + 1, easter + 39, easter + 50);
END $$;
