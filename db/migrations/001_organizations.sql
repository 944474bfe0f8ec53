-- The partner directory: France Services, CAF, La Poste, France Travail,
-- médiathèques, associations, collectivités … Every other resource refers to
-- an organisation by its slug, which never changes.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE organizations (
    slug        text PRIMARY KEY
                CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind        text NOT NULL CHECK (kind IN ('france_services', 'caf', 'la_poste',
                    'france_travail', 'mediatheque', 'association', 'collectivite',
                    'conseiller_numerique', 'etat', 'tiers_lieu', 'autre')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX organizations_kind_slug ON organizations (kind, slug);
