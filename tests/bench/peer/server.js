// The comparison service of `make bench` (tests/bench.sh, "peer"): what a
// typical team would write instead of inclusion-api, idiomatically — Fastify 5,
// fast-jwt, node-postgres, 2 workers of 4 connections each — with the same
// routes the benchmark loads, on the same database:
//   GET  /healthz
//   GET  /v1/organizations?limit=       any valid token
//   GET  /v1/places?near=lat,lon&radius_km=&limit=   ST_DWithin, by distance
//   GET  /v1/places?q=&limit=            the trigram index (search LIKE %q%)
//   POST /v1/referrals                   Idempotency-Key, in one transaction
// Each authenticated route verifies an HS256 token (fast-jwt, the algorithm
// pinned), checks its organisation in the directory, as the service does.
// Environment: PEER_PORT, DATABASE_URL, JWT_SECRET, PEER_WORKERS (2), PEER_POOL (4).
'use strict';
const cluster = require('node:cluster');
const crypto = require('node:crypto');

const workers = Number(process.env.PEER_WORKERS || 2);
if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (_w, code) => { if (code) process.exit(code); });
  process.on('SIGTERM', () => { for (const id in cluster.workers) cluster.workers[id].kill(); process.exit(0); });
  return;
}

const fastify = require('fastify')({ logger: false });
const { Pool } = require('pg');
const { createVerifier } = require('fast-jwt');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.PEER_POOL || 4) });
const verify = createVerifier({ key: process.env.JWT_SECRET, algorithms: ['HS256'] });

function problem(reply, status, detail) {
  return reply.code(status).type('application/problem+json').send({ status, detail });
}

async function authenticate(request, reply) {
  const header = request.headers.authorization || '';
  if (!header.startsWith('Bearer ')) return problem(reply, 401, 'missing token');
  let claims;
  try { claims = verify(header.slice(7)); } catch { return problem(reply, 401, 'invalid token'); }
  const { rowCount } = await pool.query('SELECT 1 FROM organizations WHERE slug = $1', [claims.org]);
  if (rowCount !== 1) return problem(reply, 401, 'unknown organisation');
  request.claims = claims;
}

function hasScope(claims, scope) { return (claims.scope || '').split(' ').includes(scope); }

const PLACE = `p.id, p.owner, p.source, p.source_id, p.pivot, p.name, p.street, p.address_complement,
  p.postal_code, p.commune, p.insee_code, ST_Y(p.location::geometry) AS latitude,
  ST_X(p.location::geometry) AS longitude, p.typologies, p.phone, p.emails, p.websites, p.opening_hours, p.summary, p.description, p.itinerance, p.parent_structure, p.services,
  p.publics, p.specific_support, p.fees, p.national_programmes, p.training_labels, p.other_labels,
  p.access_modes, p.support_modes, p.accessibility_url, p.booking_url, p.data_updated_on,
  p.created_at, p.updated_at`;

fastify.get('/healthz', async () => ({ status: 'ok' }));

fastify.get('/v1/organizations', { preHandler: authenticate }, async (request) => {
  const limit = Math.min(Number(request.query.limit || 50), 200);
  const { rows } = await pool.query(
    'SELECT slug, name, kind, created_at, updated_at FROM organizations ORDER BY slug LIMIT $1', [limit]);
  return { items: rows, next_cursor: null };
});

fastify.get('/v1/places', { preHandler: authenticate }, async (request, reply) => {
  if (!hasScope(request.claims, 'places:read')) return problem(reply, 403, 'places:read');
  const limit = Math.min(Number(request.query.limit || 50), 200);
  if (request.query.near) {
    const [lat, lon] = request.query.near.split(',').map(Number);
    const metres = Number(request.query.radius_km || 10) * 1000;
    const { rows } = await pool.query(
      `SELECT ${PLACE}, ST_Distance(p.location, ST_MakePoint($2, $1)::geography) AS distance_m
         FROM places p
        WHERE p.deleted_at IS NULL AND ST_DWithin(p.location, ST_MakePoint($2, $1)::geography, $3)
        ORDER BY p.location <-> ST_MakePoint($2, $1)::geography LIMIT $4`, [lat, lon, metres, limit]);
    return { items: rows, next_cursor: null };
  }
  const q = (request.query.q || '').toLowerCase().replace(/[%_\\]/g, '\\$&');
  const { rows } = await pool.query(
    `SELECT ${PLACE} FROM places p
      WHERE p.deleted_at IS NULL AND p.search LIKE '%' || search_text($1) || '%'
      ORDER BY p.name, p.id LIMIT $2`, [q, limit]);
  return { items: rows, next_cursor: null };
});

fastify.post('/v1/referrals', { preHandler: authenticate }, async (request, reply) => {
  if (!hasScope(request.claims, 'referrals:write')) return problem(reply, 403, 'referrals:write');
  const key = request.headers['idempotency-key'];
  if (!key) return problem(reply, 400, 'Idempotency-Key is required');
  const b = request.body || {};
  const person = b.beneficiary || {}, consent = b.consent || {};
  if (!b.to_org || !b.need || !consent.given) return problem(reply, 422, 'invalid referral');
  const org = request.claims.org;
  const hash = crypto.createHash('sha256').update(JSON.stringify(b)).digest('hex');
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const kept = await client.query(
      'SELECT status, response, doc_hash FROM idempotency_keys WHERE org = $1 AND key = $2 FOR UPDATE', [org, key]);
    if (kept.rowCount) {
      await client.query('COMMIT');
      if (kept.rows[0].doc_hash !== hash) return problem(reply, 422, 'Idempotency-Key reused');
      return reply.code(kept.rows[0].status).header('idempotent-replayed', 'true')
        .type('application/json').send(kept.rows[0].response);
    }
    const { rows } = await client.query(
      `WITH r AS (INSERT INTO referrals (from_org, to_org, need, first_name, last_name, phone, email,
                    contact_preference, consent_method, consent_recorded_at, notes, place_id)
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *),
            e AS (INSERT INTO referral_events (referral_id, org, actor, type, from_status, to_status)
                  SELECT id, $1, $13, 'sent', NULL, 'sent' FROM r)
       SELECT * FROM r`,
      [org, b.to_org, b.need, person.first_name, person.last_name, person.phone, person.email,
       person.contact_preference, consent.method, consent.recorded_at, b.notes, b.place_id || null,
       request.claims.sub || 'unknown']);
    const response = JSON.stringify(rows[0]);
    await client.query(
      `INSERT INTO idempotency_keys (org, key, route, target, doc_hash, status, response, location, resource_id)
       VALUES ($1, $2, 'POST /v1/referrals', '', $3, 201, $4, $5, $6)`,
      [org, key, hash, response, `/v1/referrals/${rows[0].id}`, rows[0].id]);
    await client.query('COMMIT');
    return reply.code(201).header('location', `/v1/referrals/${rows[0].id}`).type('application/json').send(response);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    if (err.code === '23505') return problem(reply, 409, 'in flight');
    throw err;
  } finally {
    client.release();
  }
});

fastify.listen({ port: Number(process.env.PEER_PORT || 18095), host: '127.0.0.1' })
  .catch((err) => { console.error(err); process.exit(1); });
