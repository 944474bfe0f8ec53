/* /carte: the places of digital mediation and the mobile unit's stops of the
 * Gers on a map of its communes, with a list beside it that says the same
 * (keyboard, screen reader, paper). Reads only the open data of the API:
 * GET /v1/communes, /v1/places (GeoJSON, streamed), /v1/stops, /v1/workshops.
 * No inline script (Content-Security-Policy: default-src 'self'): every text
 * from the data goes through textContent, never innerHTML. */
(function () {
  'use strict';

  var JOURS = { Mo: 'lundi', Tu: 'mardi', We: 'mercredi', Th: 'jeudi', Fr: 'vendredi', Sa: 'samedi', Su: 'dimanche' };
  /* The labels of the national standard's codes (api/formats/mednum.c) */
  var LABELS = {
    aide_aux_demarches_administratives: 'Aide aux démarches administratives',
    maitrise_des_outils_numeriques_du_quotidien: 'Maîtrise des outils numériques du quotidien',
    insertion_professionnelle_via_le_numerique: 'Insertion professionnelle via le numérique',
    utilisation_securisee_du_numerique: 'Utilisation sécurisée du numérique',
    parentalite_et_education_avec_le_numerique: 'Parentalité et éducation avec le numérique',
    loisirs_et_creations_numeriques: 'Loisirs et créations numériques',
    comprehension_du_monde_numerique: 'Compréhension du monde numérique',
    acces_internet_et_materiel_informatique: 'Accès internet et matériel informatique',
    acquisition_de_materiel_informatique_a_prix_solidaire: 'Acquisition de matériel informatique à prix solidaire',
    jeunes: 'Jeunes', etudiants: 'Étudiants', familles_et_ou_enfants: 'Familles et/ou enfants',
    seniors: 'Seniors', femmes: 'Femmes'
  };
  /* prise_en_charge_specifique codes that say a place welcomes a disability */
  var HANDICAP = ['surdite', 'handicaps_moteurs', 'handicaps_mentaux', 'deficience_visuelle'];
  var state = { places: [], stops: [], open: null, here: null, markers: {}, map: null, layer: null };

  function $(id) { return document.getElementById(id); }

  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }

  function status(text) { $('etat').textContent = text; }

  function getJSON(url, accept) {
    return fetch(url, { headers: { Accept: accept || 'application/json' } }).then(function (r) {
      if (!r.ok) throw new Error(url + ' : ' + r.status);
      return r.json();
    });
  }

  /* Every page of a list (stops: 200 at most per page), 10 pages at most. */
  function allPages(url, accept, pages) {
    return getJSON(url, accept).then(function (body) {
      var list = body.features || body.items || [];
      if (!body.next_cursor || pages >= 10) return list;
      var next = url.replace(/([?&])cursor=[^&]*/, '$1').replace(/[?&]$/, '');
      next += (next.indexOf('?') < 0 ? '?' : '&') + 'cursor=' + encodeURIComponent(body.next_cursor);
      return allPages(next, accept, pages + 1).then(function (rest) { return list.concat(rest); });
    });
  }

  function words(code) {
    if (LABELS[code]) return LABELS[code];
    var t = String(code).replace(/_/g, ' ');
    return t.charAt(0).toUpperCase() + t.slice(1);
  }

  function plain(text) {
    return String(text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }

  /* "09:00" -> "9 h", "13:30" -> "13 h 30" */
  function heure(hhmm) {
    var p = hhmm.split(':');
    var h = parseInt(p[0], 10), m = p[1] || '00';
    return h + ' h' + (m === '00' ? '' : ' ' + m);
  }

  function jours(spec) {
    return spec.split(',').map(function (part) {
      var r = part.split('-');
      if (r.length === 2 && JOURS[r[0]] && JOURS[r[1]]) return 'du ' + JOURS[r[0]] + ' au ' + JOURS[r[1]];
      if (part === 'PH') return 'les jours fériés';
      return JOURS[part] || part;
    }).join(', ');
  }

  /* OSM opening_hours ("Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00") in words. */
  function horaires(text) {
    if (!text) return null;
    try {
      return text.split(';').map(function (rule) {
        rule = rule.trim();
        if (!rule) return null;
        var sp = rule.indexOf(' ');
        var days = sp < 0 ? rule : rule.slice(0, sp), times = sp < 0 ? '' : rule.slice(sp + 1).trim();
        if (!/^[A-Za-z,\-]+$/.test(days)) return rule;
        if (times === 'off' || times === 'closed') return jours(days) + ' : fermé';
        var slots = times.split(',').map(function (s) {
          var ab = s.split('-');
          if (ab.length !== 2) throw new Error('slot');
          return 'de ' + heure(ab[0]) + ' à ' + heure(ab[1]);
        });
        return jours(days) + ' : ' + slots.join(' et ');
      }).filter(Boolean).join(' ; ');
    } catch (e) {
      return text;
    }
  }

  function telephone(num) {
    if (!num) return null;
    var fr = num.replace(/^\+33/, '0');
    return { href: 'tel:' + num, text: fr.replace(/(\d{2})(?=\d)/g, '$1 ').trim() };
  }

  function dateLongue(iso) {
    return new Date(iso).toLocaleString('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' });
  }

  function accessible(p) {
    return !!p.accessibility_url ||
      (p.specific_support || []).some(function (c) { return HANDICAP.indexOf(c) >= 0; });
  }

  function distanceKm(a, b) {
    var rad = Math.PI / 180, dlat = (b[0] - a[0]) * rad, dlon = (b[1] - a[1]) * rad;
    var h = Math.sin(dlat / 2) * Math.sin(dlat / 2) +
      Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dlon / 2) * Math.sin(dlon / 2);
    return 12742 * Math.asin(Math.sqrt(h));
  }

  /* ---- what one entry shows (popup and list alike) ---------------------- */

  function details(entry) {
    var p = entry.props, box = el('div', null, { 'class': 'lieu-details' });
    box.appendChild(el('h3', entry.name));
    if (entry.kind === 'stop') {
      box.appendChild(el('p', 'Bus numérique : ' + dateLongue(p.starts_at) + ' – ' +
        new Date(p.ends_at).toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' }), { 'class': 'bus' }));
      box.appendChild(el('p', [p.address, p.commune].filter(Boolean).join(', ')));
      return box;
    }
    box.appendChild(el('p', [p.street, p.address_complement, [p.postal_code, p.commune].filter(Boolean).join(' ')].filter(Boolean).join(', ')));
    var h = horaires(p.opening_hours);
    box.appendChild(el('p', h ? 'Horaires : ' + h : 'Horaires non renseignés'));
    var tel = telephone(p.phone);
    if (tel) {
      var pt = el('p', 'Téléphone : ');
      pt.appendChild(el('a', tel.text, { href: tel.href }));
      box.appendChild(pt);
    }
    if ((p.services || []).length)
      box.appendChild(el('p', 'Services : ' + p.services.map(words).join(', ')));
    if (p.accessibility_url && /^https?:\/\//.test(p.accessibility_url)) {
      var pa = el('p');
      pa.appendChild(el('a', 'Fiche d’accessibilité', { href: p.accessibility_url, rel: 'noopener' }));
      box.appendChild(pa);
    }
    var ateliers = el('div', null, { 'class': 'ateliers' });
    ateliers.appendChild(el('p', 'Prochains ateliers : chargement…'));
    box.appendChild(ateliers);
    loadWorkshops(entry.id, ateliers);
    return box;
  }

  function loadWorkshops(placeId, box) {
    var url = '/v1/workshops?place_id=' + encodeURIComponent(placeId) + '&limit=3&has_seats=true';
    getJSON(url).then(function (body) {
      box.textContent = '';
      var items = body.items || [];
      if (!items.length) {
        box.appendChild(el('p', 'Pas d’atelier prévu avec des places libres.'));
      } else {
        box.appendChild(el('p', 'Prochains ateliers :'));
        var ul = el('ul');
        items.forEach(function (w) {
          var seats = w.seats_left === 1 ? '1 place libre' : w.seats_left + ' places libres';
          ul.appendChild(el('li', w.title + ', ' + dateLongue(w.starts_at) + ' (' + seats + ')'));
        });
        box.appendChild(ul);
      }
      var pc = el('p');
      pc.appendChild(el('a', 'Calendrier des ateliers de ce lieu', { href: '/v1/calendar.ics?place_id=' + encodeURIComponent(placeId) }));
      box.appendChild(pc);
    }).catch(function () {
      box.textContent = 'Les ateliers ne peuvent pas être chargés.';
    });
  }

  /* ---- filters ------------------------------------------------------------ */

  function kept(entry) {
    var p = entry.props, q = plain($('recherche').value.trim());
    if (q && plain([entry.name, p.commune, p.postal_code, p.insee_code, p.place_name].join(' ')).indexOf(q) < 0) return false;
    if ($('itinerant').checked && !entry.itinerant) return false;
    if (entry.kind === 'stop') {
      /* a stop offers its place's services; the other filters are about fixed places */
      return !$('service').value && !$('public').value && !$('accessible').checked && !$('ouvert').checked;
    }
    if ($('service').value && (p.services || []).indexOf($('service').value) < 0) return false;
    if ($('public').value && (p.publics || []).indexOf($('public').value) < 0) return false;
    if ($('accessible').checked && !accessible(p)) return false;
    if ($('ouvert').checked && !(state.open && state.open[entry.id])) return false;
    return true;
  }

  function fillSelect(select, codes) {
    Object.keys(codes).sort().forEach(function (c) { select.appendChild(el('option', words(c), { value: c })); });
  }

  /* ---- drawing ------------------------------------------------------------ */

  function render() {
    var shown = state.places.concat(state.stops).filter(kept);
    if (state.here) {
      shown.forEach(function (e) { e.km = distanceKm(state.here, e.latlng); });
      shown.sort(function (a, b) { return a.km - b.km; });
    }
    state.layer.clearLayers();
    var ol = $('lieux');
    ol.textContent = '';
    shown.forEach(function (entry) {
      if (entry.latlng) {
        var m = L.circleMarker(entry.latlng, {
          radius: entry.kind === 'stop' ? 6 : 7, weight: 2,
          color: entry.kind === 'stop' ? '#7a3e00' : '#000091',
          fillColor: entry.kind === 'stop' ? '#f3a712' : '#6a6af4', fillOpacity: 0.9
        });
        m.bindPopup(function () { return details(entry); }, { maxWidth: 320 });
        m.bindTooltip(el('span', entry.name)); /* an element: Leaflet writes a string as HTML */
        m.addTo(state.layer);
        state.markers[entry.key] = m;
      }
      var li = el('li');
      /* the button shows the popup's details in the list too (keyboard, screen
       * reader: the same content without the map) and the place on the map */
      var b = el('button', entry.name, { type: 'button', 'class': 'lien', 'aria-expanded': 'false' });
      var more = null;
      b.addEventListener('click', function () {
        var m = state.markers[entry.key];
        if (m) { state.map.setView(entry.latlng, Math.max(state.map.getZoom(), 12)); m.openPopup(); }
        if (more) {
          li.removeChild(more);
          more = null;
          b.setAttribute('aria-expanded', 'false');
        } else {
          more = details(entry);
          more.querySelector('h3').remove();
          li.appendChild(more);
          b.setAttribute('aria-expanded', 'true');
        }
      });
      li.appendChild(b);
      var line = entry.kind === 'stop' ? 'Bus numérique, ' + entry.props.commune + ', ' + dateLongue(entry.props.starts_at)
        : [entry.props.commune, horaires(entry.props.opening_hours)].filter(Boolean).join(' — ');
      if (state.here && entry.latlng) line += ' (à ' + entry.km.toFixed(1).replace('.', ',') + ' km)';
      li.appendChild(el('div', line));
      var tel = entry.kind === 'place' && telephone(entry.props.phone);
      if (tel) {
        var d = el('div');
        d.appendChild(el('a', tel.text, { href: tel.href, 'aria-label': 'Appeler ' + entry.name }));
        li.appendChild(d);
      }
      ol.appendChild(li);
    });
    var np = shown.filter(function (e) { return e.kind === 'place'; }).length;
    status(np + (np > 1 ? ' lieux' : ' lieu') + ' et ' + (shown.length - np) + ' passage(s) du bus numérique affichés' +
      (state.here ? ', du plus proche au plus loin.' : '.'));
  }

  function entriesOf(features, kind) {
    return features.map(function (f) {
      var c = f.geometry && f.geometry.coordinates;
      var p = f.properties || {};
      return {
        kind: kind, id: kind === 'stop' ? p.place_id : f.id, key: kind + ':' + f.id, props: p,
        name: kind === 'stop' ? (p.place_name || 'Bus numérique') : p.name,
        latlng: c ? [c[1], c[0]] : null,
        itinerant: kind === 'stop' || (p.itinerance || []).indexOf('itinerant') >= 0
      };
    });
  }

  function loadOpenNow() {
    if (state.open) return Promise.resolve();
    status('Recherche des lieux ouverts maintenant…');
    var url = '/v1/places?format=geojson&open_at=' + encodeURIComponent(new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
    return getJSON(url, 'application/geo+json').then(function (body) {
      state.open = {};
      (body.features || []).forEach(function (f) { state.open[f.id] = true; });
    });
  }

  function nearMe() {
    if (!navigator.geolocation) { status('La géolocalisation n’est pas disponible dans ce navigateur.'); return; }
    status('Recherche de votre position…');
    navigator.geolocation.getCurrentPosition(function (pos) {
      state.here = [pos.coords.latitude, pos.coords.longitude];
      state.map.setView(state.here, 11);
      L.circleMarker(state.here, { radius: 5, color: '#c9191e', fillOpacity: 1 }).bindTooltip(el('span', 'Vous êtes ici')).addTo(state.map);
      render();
      $('liste').focus();
    }, function () {
      status('Votre position n’a pas pu être obtenue : cherchez plutôt votre commune.');
    }, { timeout: 10000, maximumAge: 600000 });
  }

  function start() {
    var page = $('carte-page');
    state.map = L.map('carte', { zoomSnap: 0.5, preferCanvas: false }).setView([43.65, 0.45], 9);
    var tiles = page.getAttribute('data-tiles');
    if (tiles) L.tileLayer(tiles, { maxZoom: 18 }).addTo(state.map);
    state.layer = L.layerGroup().addTo(state.map);

    getJSON('/v1/communes', 'application/geo+json').then(function (communes) {
      var base = L.geoJSON(communes, {
        style: { color: '#6b6b6b', weight: 0.6, fillColor: '#ffffff', fillOpacity: tiles ? 0 : 0.7 },
        onEachFeature: function (f, layer) { layer.bindTooltip(el('span', f.properties.name), { sticky: true }); }
      }).addTo(state.map);
      base.bringToBack();
      state.map.invalidateSize(); /* the layout may have changed since L.map (a phone's) */
      state.map.fitBounds(base.getBounds());
    }).catch(function () { /* the markers still work without the communes */ });

    Promise.all([
      getJSON('/v1/places', 'application/geo+json'),
      allPages('/v1/stops?limit=200', 'application/geo+json', 1).catch(function () { return []; })
    ]).then(function (got) {
      state.places = entriesOf(got[0].features || [], 'place');
      state.stops = entriesOf(got[1], 'stop');
      var services = {}, publics = {};
      state.places.forEach(function (e) {
        (e.props.services || []).forEach(function (c) { services[c] = true; });
        (e.props.publics || []).forEach(function (c) { publics[c] = true; });
      });
      fillSelect($('service'), services);
      fillSelect($('public'), publics);
      render();
    }).catch(function () {
      status('Les lieux ne peuvent pas être chargés pour le moment ; réessayez dans un instant.');
    });

    ['service', 'public', 'accessible', 'itinerant'].forEach(function (id) { $(id).addEventListener('change', render); });
    $('recherche').addEventListener('input', render);
    $('ouvert').addEventListener('change', function () {
      if (!this.checked) { render(); return; }
      loadOpenNow().then(render).catch(function () { status('Les horaires ne peuvent pas être vérifiés pour le moment.'); });
    });
    $('filtres').addEventListener('submit', function (ev) { ev.preventDefault(); render(); $('liste').focus(); });
    $('filtres').addEventListener('reset', function () { state.here = null; setTimeout(render, 0); });
    $('pres-de-moi').addEventListener('click', nearMe);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
