-- Workshops for `make bench`: 100 future workshops of 20 seats at the bench
-- places (near Auch and elsewhere), with no registrations yet.
DELETE FROM registrations WHERE workshop_id IN (SELECT id FROM workshops WHERE title LIKE 'Bench %');
DELETE FROM workshops WHERE title LIKE 'Bench %';
INSERT INTO workshops (owner, place_id, title, theme, audience, starts_at, ends_at, capacity)
SELECT 'gers-numerique', p.id, 'Bench ' || g, 'first_steps', '{everyone}',
       now() + (g || ' days')::interval, now() + (g || ' days')::interval + interval '2 hours', 20
FROM generate_series(1, 100) g
JOIN LATERAL (SELECT id FROM places WHERE source = 'bench' ORDER BY source_id OFFSET g * 7 LIMIT 1) p ON true;
