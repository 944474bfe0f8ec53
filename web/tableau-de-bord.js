/* /tableau-de-bord: the campaign's indicators for a coordinator (a token
 * pasted once, kept in sessionStorage) or for whoever holds a share link
 * (?lien=SECRET, sent as `Authorization: Link SECRET`). Reads GET
 * /v1/indicators, /v1/indicators/{code}/series, /v1/indicators/routes and
 * /v1/indicators/by-commune (GeoJSON); the charts are SVG bars drawn here,
 * each with its table. No inline script or style (CSP default-src 'self');
 * every text from the API goes through textContent. */
(function () {
  'use strict';

  var HEADLINE = ['autonomy_rate', 'orientation_time_median_hours', 'devices_distributed', 'satisfaction_mean'];
  var STATUS = {
    on_track: 'En bonne voie', off_track: 'En retard', no_data: 'Pas de donnée', no_baseline: 'Sans référence'
  };
  var UNITS = { percent: ' %', hours: ' h', points: ' points', rating: ' / 5', count: '' };
  var MOIS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre',
    'octobre', 'novembre', 'décembre'];
  var state = { auth: null, link: null, items: [], map: null, layer: null };

  function $(id) { return document.getElementById(id); }

  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }

  function svg(tag, attrs) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }

  function status(text) { $('etat').textContent = text; }

  // The page is French: the labels, definitions and error details it shows
  // are asked in French, whatever language the browser prefers.
  function fetchApi(url, accept) {
    var headers = { Accept: accept || 'application/json', 'Accept-Language': 'fr', Authorization: state.auth };
    return fetch(url, { headers: headers })
      .then(function (r) {
        if (r.status === 401) {
          if (!state.link) sessionStorage.removeItem('jeton');
          throw new Error(state.link ? 'Ce lien de partage n’est plus valable.' : 'Jeton refusé : collez-en un autre.');
        }
        if (!r.ok) {
          return r.json().catch(function () { return {}; }).then(function (p) {
            throw new Error((p.detail || p.title || 'Erreur') + ' (' + r.status + ')');
          });
        }
        return r;
      });
  }

  function getJSON(url, accept) {
    return fetchApi(url, accept).then(function (r) { return r.json(); });
  }

  function nombre(v, unit) {
    if (v === null || v === undefined) return '—';
    var n = Number(v);
    var text = n.toLocaleString('fr-FR', { maximumFractionDigits: 1 });
    return text + (UNITS[unit] || '');
  }

  function objectif(t, unit) {
    if (!t) return '—';
    var s = t.value > 0 ? '+' : '';
    switch (t.kind) {
      case 'relative_change': return s + t.value + ' % par rapport à la référence' +
        (t.goal !== null && t.goal !== undefined ? ' (' + nombre(t.goal, unit) + ')' : '');
      case 'at_least': return 'au moins ' + nombre(t.value, unit);
      case 'at_most': return 'au plus ' + nombre(t.value, unit);
      default: return t.kind + ' ' + t.value;
    }
  }

  function reference(b, unit) {
    if (!b) return '—';
    if (b.suppressed) return 'masquée (secret statistique)';
    return nombre(b.value, unit);
  }

  function valeur(item) {
    return item.suppressed ? 'masquée' : nombre(item.value, item.unit);
  }

  function etat(item) {
    var span = el('span', STATUS[item.status] || item.status, { 'class': 'etat etat-' + item.status });
    return span;
  }

  /* The period's first and last day (calendar month, quarter or year: the
   * only ones the API gives for a filter under strict disclosure). */
  function period() {
    var kind = $('periode').value, y = parseInt($('annee').value, 10), p = parseInt($('partie').value || '1', 10);
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    var last = function (m) { return new Date(Date.UTC(y, m, 0)).getUTCDate(); };
    if (kind === 'mois')
      return { from: y + '-' + pad(p) + '-01', to: y + '-' + pad(p) + '-' + last(p), words: MOIS[p - 1] + ' ' + y };
    if (kind === 'trimestre')
      return { from: y + '-' + pad(3 * p - 2) + '-01', to: y + '-' + pad(3 * p) + '-' + last(3 * p),
        words: p + (p === 1 ? 'er' : 'e') + ' trimestre ' + y };
    return { from: y + '-01-01', to: y + '-12-31', words: 'année ' + y };
  }

  function parts() {
    var kind = $('periode').value, sel = $('partie'), keep = sel.value;
    sel.textContent = '';
    sel.disabled = kind === 'annee';
    if (kind === 'mois') MOIS.forEach(function (m, i) { sel.appendChild(el('option', m, { value: String(i + 1) })); });
    if (kind === 'trimestre') [1, 2, 3, 4].forEach(function (q) { sel.appendChild(el('option', q + (q === 1 ? 'er' : 'e') + ' trimestre', { value: String(q) })); });
    if (keep && sel.querySelector('option[value="' + keep + '"]')) sel.value = keep;
  }

  function query(extra) {
    var p = period(), q = 'from=' + p.from + '&to=' + p.to;
    var f = $('filtre').value, v = $('valeur').value.trim();
    if (f && v) q += '&' + f + '=' + encodeURIComponent(v);
    return q + (extra || '');
  }

  function card(item) {
    var li = el('li', null, { 'class': 'carte-cible etat-' + item.status, 'data-code': item.code });
    li.appendChild(el('h3', item.label));
    li.appendChild(el('p', valeur(item), { 'class': 'valeur' }));
    var dl = el('dl');
    [['Référence', reference(item.baseline, item.unit)], ['Objectif', objectif(item.target, item.unit)]]
      .forEach(function (row) { dl.appendChild(el('dt', row[0])); dl.appendChild(el('dd', row[1])); });
    dl.appendChild(el('dt', 'État'));
    var dd = el('dd');
    dd.appendChild(etat(item));
    dl.appendChild(dd);
    li.appendChild(dl);
    return li;
  }

  function showIndicators(body) {
    state.items = body.items;
    var cards = $('cartes');
    cards.textContent = '';
    HEADLINE.forEach(function (code) {
      var item = body.items.filter(function (i) { return i.code === code; })[0];
      if (item) cards.appendChild(card(item));
    });
    var tbody = $('indicateurs').querySelector('tbody');
    tbody.textContent = '';
    body.items.forEach(function (item) {
      var tr = el('tr');
      tr.appendChild(el('th', item.label, { scope: 'row' }));
      tr.appendChild(el('td', item.definition));
      tr.appendChild(el('td', valeur(item)));
      tr.appendChild(el('td', reference(item.baseline, item.unit)));
      tr.appendChild(el('td', objectif(item.target, item.unit)));
      var td = el('td');
      td.appendChild(etat(item));
      tr.appendChild(td);
      tbody.appendChild(tr);
    });
    var sel = $('indicateur-carte'), keep = sel.value;
    sel.textContent = '';
    body.items.forEach(function (item) { sel.appendChild(el('option', item.label, { value: item.code })); });
    if (keep) sel.value = keep;
  }

  /* One indicator month by month: SVG bars (hidden from screen readers) and
   * the same figures in a table. */
  function chart(series) {
    var fig = el('figure', null, { 'class': 'serie', 'data-code': series.code });
    fig.appendChild(el('figcaption', series.label));
    var w = 360, h = 140, pad = 18, n = series.items.length;
    var max = 0;
    series.items.forEach(function (p) { if (p.value !== null && Number(p.value) > max) max = Number(p.value); });
    var g = svg('svg', { viewBox: '0 0 ' + w + ' ' + (h + pad), 'aria-hidden': 'true', focusable: 'false', 'class': 'barres' });
    g.appendChild(svg('line', { x1: 0, y1: h, x2: w, y2: h, 'class': 'axe' }));
    var bw = w / Math.max(n, 1);
    series.items.forEach(function (p, i) {
      var v = p.value === null ? 0 : Number(p.value);
      var bh = max > 0 ? Math.round((v / max) * (h - 10)) : 0;
      g.appendChild(svg('rect', { x: (i * bw + 2).toFixed(1), y: h - bh, width: Math.max(bw - 4, 1).toFixed(1), height: bh,
        'class': p.suppressed ? 'barre masquee' : 'barre' }));
      var t = svg('text', { x: (i * bw + bw / 2).toFixed(1), y: h + 13, 'class': 'mois' });
      t.textContent = MOIS[parseInt(p.start.slice(5, 7), 10) - 1].slice(0, 3);
      g.appendChild(t);
    });
    fig.appendChild(g);
    var table = el('table', null, { 'class': 'donnees' });
    table.appendChild(el('caption', series.label + ', mois par mois'));
    var head = el('tr');
    head.appendChild(el('th', 'Mois', { scope: 'col' }));
    head.appendChild(el('th', 'Valeur', { scope: 'col' }));
    head.appendChild(el('th', 'Effectif', { scope: 'col' }));
    var thead = el('thead');
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el('tbody');
    series.items.forEach(function (p) {
      var tr = el('tr');
      tr.appendChild(el('th', MOIS[parseInt(p.start.slice(5, 7), 10) - 1] + ' ' + p.start.slice(0, 4), { scope: 'row' }));
      tr.appendChild(el('td', p.suppressed ? 'masquée' : nombre(p.value, series.unit)));
      tr.appendChild(el('td', p.sample_size === null ? '—' : String(p.sample_size)));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    fig.appendChild(table);
    return fig;
  }

  function showSeries(items) {
    var box = $('series');
    box.textContent = '';
    return Promise.all(items.map(function (item) {
      return getJSON('/v1/indicators/' + encodeURIComponent(item.code) + '/series?granularity=month&' + query());
    })).then(function (all) { all.forEach(function (s) { box.appendChild(chart(s)); }); });
  }

  function showRoutes() {
    var f = $('filtre').value;
    var q = 'from=' + period().from + '&to=' + period().to;
    if (f === 'org' && $('valeur').value.trim()) q += '&org=' + encodeURIComponent($('valeur').value.trim());
    var table = $('parcours'), thead = table.querySelector('thead'), tbody = table.querySelector('tbody');
    thead.textContent = '';
    tbody.textContent = '';
    if (f && f !== 'org') {
      tbody.appendChild(el('tr')).appendChild(el('td', 'Les parcours se filtrent par organisation seulement.'));
      return Promise.resolve();
    }
    return getJSON('/v1/indicators/routes?' + q).then(function (body) {
      var rows = body.items || [];
      if (!rows.length) {
        tbody.appendChild(el('tr')).appendChild(el('td', 'Aucune orientation sur la période.'));
        return;
      }
      var keys = Object.keys(rows[0]).filter(function (k) { return typeof rows[0][k] !== 'object' || rows[0][k] === null; });
      var tr = el('tr');
      keys.forEach(function (k) { tr.appendChild(el('th', ROUTE_COLUMNS[k] || k.replace(/_/g, ' '), { scope: 'col' })); });
      thead.appendChild(tr);
      rows.forEach(function (row) {
        var r = el('tr');
        keys.forEach(function (k) { r.appendChild(el('td', cell(row[k]))); });
        tbody.appendChild(r);
      });
    });
  }

  var ROUTE_COLUMNS = {
    from_kind: 'De', to_kind: 'Vers', referrals: 'Orientations', accepted: 'Acceptées',
    orientation_time_median_hours: 'Délai médian (h)', completed: 'Menées à terme', closed: 'Closes',
    referral_completion_rate: 'Aboutissement (%)', suppressed: 'Masqué'
  };

  function cell(v) {
    if (v === null || v === undefined) return '—';
    if (v === true) return 'oui';
    if (v === false) return 'non';
    if (typeof v === 'number') return nombre(v);
    return String(v).replace(/_/g, ' ');
  }

  var COLOURS = ['#f1eef6', '#bdc9e1', '#74a9cf', '#2b8cbe', '#045a8d'];

  function showMap() {
    var code = $('indicateur-carte').value;
    if (!code || typeof L === 'undefined') return Promise.resolve();
    var p = period();
    return getJSON('/v1/indicators/by-commune?code=' + encodeURIComponent(code) + '&from=' + p.from + '&to=' + p.to,
      'application/geo+json').then(function (fc) {
      if (!state.map) {
        state.map = L.map('carte', { zoomSnap: 0.25, attributionControl: false });
      }
      if (state.layer) state.map.removeLayer(state.layer);
      var values = fc.features.map(function (f) { return f.properties.value; })
        .filter(function (v) { return v !== null && v !== undefined; }).map(Number);
      var max = values.length ? Math.max.apply(null, values) : 0;
      var colour = function (v) {
        if (v === null || v === undefined) return '#ffffff';
        var i = max > 0 ? Math.min(COLOURS.length - 1, Math.floor((Number(v) / max) * COLOURS.length)) : 0;
        return COLOURS[i];
      };
      state.layer = L.geoJSON(fc, {
        style: function (f) {
          return { color: '#555', weight: 0.5, fillOpacity: 0.8, fillColor: colour(f.properties.value) };
        },
        onEachFeature: function (f, layer) {
          var pr = f.properties;
          layer.bindTooltip((pr.name || pr.nom || pr.commune || '') + ' : ' +
            (pr.suppressed ? 'masquée' : nombre(pr.value, pr.unit)));
        }
      }).addTo(state.map);
      state.map.fitBounds(state.layer.getBounds());
      $('legende').textContent = values.length
        ? 'Du plus clair (0) au plus foncé (' + nombre(max) + ') ; en blanc : pas de donnée ou masquée.'
        : 'Aucune commune n’a de valeur publiable pour cet indicateur sur la période.';
      $('carte').setAttribute('data-communes', String(fc.features.length));
    });
  }

  function load() {
    var p = period(), f = $('filtre').value, v = $('valeur').value.trim();
    $('perimetre').textContent = 'Période : ' + p.words + ' (du ' + p.from + ' au ' + p.to + '). Périmètre : ' +
      (f && v ? $('filtre').selectedOptions[0].textContent + ' ' + v : 'tout le département') + '.';
    status('Chargement des indicateurs…');
    return getJSON('/v1/indicators?' + query()).then(function (body) {
      showIndicators(body);
      /* A share link may hold the answer to its own commune and period. */
      if (body.from !== p.from || body.to !== p.to || (body.filters.commune && body.filters.commune !== v))
        $('perimetre').textContent = 'Période : du ' + body.from + ' au ' + body.to + '. Périmètre : ' +
          (body.filters.commune ? 'commune ' + body.filters.commune : 'tout le département') +
          ' (fixés par le lien de partage).';
      var apart = function (promise, where) {
        return promise.catch(function (e) { where.textContent = 'Indisponible : ' + e.message; });
      };
      return Promise.all([showSeries(body.items), apart(showRoutes(), $('parcours').querySelector('tbody')),
        apart(showMap(), $('legende'))]);
    }).then(function () {
      status('Indicateurs à jour.');
      document.body.setAttribute('data-pret', 'oui');
    }).catch(function (e) {
      status(e.message);
      if (!state.link && !sessionStorage.getItem('jeton')) ask();
    });
  }

  function download() {
    fetchApi('/v1/indicators?' + query('&format=csv&locale=fr'), 'text/csv').then(function (r) { return r.blob(); })
      .then(function (blob) {
        var a = el('a', null, { href: URL.createObjectURL(blob), download: 'indicateurs-' + period().from + '-' + period().to + '.csv' });
        document.body.appendChild(a);
        a.click();
        a.remove();
      }).catch(function (e) { status(e.message); });
  }

  function ask() {
    $('acces').hidden = false;
    $('filtres').hidden = true;
    $('jeton').focus();
  }

  function start() {
    var y = new Date().getFullYear();
    $('annee').value = String(y);
    parts();
    $('periode').addEventListener('change', parts);
    $('filtres').addEventListener('submit', function (e) { e.preventDefault(); load(); });
    $('indicateur-carte').addEventListener('change', function () { showMap().catch(function (e) { status(e.message); }); });
    $('csv').addEventListener('click', download);
    $('imprimer').addEventListener('click', function () { window.print(); });
    $('acces').addEventListener('submit', function (e) {
      e.preventDefault();
      var t = $('jeton').value.trim();
      if (!t) return;
      sessionStorage.setItem('jeton', t);
      state.auth = 'Bearer ' + t;
      $('jeton').value = '';
      $('acces').hidden = true;
      $('filtres').hidden = false;
      load();
    });
    var link = new URLSearchParams(location.search).get('lien');
    if (link) {
      state.link = link;
      state.auth = 'Link ' + link;
      /* The secret leaves the address bar (and the history, and a Referer). */
      history.replaceState(null, '', location.pathname);
    } else if (sessionStorage.getItem('jeton')) {
      state.auth = 'Bearer ' + sessionStorage.getItem('jeton');
    }
    if (!state.auth) {
      status('Un jeton d’accès ou un lien de partage est nécessaire.');
      ask();
      return;
    }
    $('filtres').hidden = false;
    load();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
