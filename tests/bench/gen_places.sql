-- Synthetic places for `make bench`: :n places spread over the communes of the
-- Gers (random points inside each commune's outline), with the words the
-- benchmark searches for. Run in the bench database, after `seed`:
--   psql -v n=30000 -f tests/bench/gen_places.sql
DELETE FROM registrations WHERE workshop_id IN
    (SELECT w.id FROM workshops w JOIN places p ON p.id = w.place_id WHERE p.source = 'bench');
DELETE FROM workshops WHERE place_id IN (SELECT id FROM places WHERE source = 'bench');
DELETE FROM place_stops WHERE place_id IN (SELECT id FROM places WHERE source = 'bench');
DELETE FROM places WHERE source = 'bench';
INSERT INTO places (owner, source, source_id, pivot, name, street, postal_code, commune,
                    insee_code, location, typologies, opening_hours, open_minutes,
                    closed_on_public_holidays, itinerance, services, fees, data_updated_on)
SELECT 'gers-numerique', 'bench', 'bench-' || g,
       '00000000000000',
       (ARRAY['Médiathèque', 'Espace numérique', 'Tiers-lieu', 'Point d''accès', 'Atelier'])[1 + g % 5]
           || ' ' || c.name || ' n°' || g,
       g || ' rue de la République', '32' || lpad((g % 1000)::text, 3, '0'), c.name, c.insee_code,
       ST_GeometryN(ST_GeneratePoints(c.outline, 1, g), 1)::geography,
       ARRAY[(ARRAY['BIB', 'TIERS_LIEUX', 'ASSO', 'MUNI', 'RFS'])[1 + g % 5]],
       'Mo-Fr 09:00-12:00,14:00-18:00',
       '{[540,720),[840,1080),[1980,2160),[2280,2520),[3420,3600),[3720,3960),[4860,5040),[5160,5400),[6300,6480),[6600,6840)}',
       false, ARRAY['fixe'], ARRAY['aide_aux_demarches_administratives'], ARRAY['gratuit'],
       current_date
FROM generate_series(1, :n) g
JOIN LATERAL (SELECT insee_code, name, outline FROM communes
              ORDER BY insee_code OFFSET (g % 462) LIMIT 1) c ON true;
ANALYZE places;
