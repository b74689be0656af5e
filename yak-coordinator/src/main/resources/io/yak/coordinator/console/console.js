'use strict';
// YaK console: read-only view of the cluster, polling the JSON API every 2 s.
// Every server-provided string (names, hosts, ids) is inserted as a text node,
// never as markup, because topic/group/client names are untrusted input.
(function () {
  const REFRESH_MS = 2000;
  const FETCH_TIMEOUT_MS = 10000; // a hung request must not stall the refresh chain forever
  const CHART_MAX_WIDTH = 900;
  const CHART_HEIGHT = 220;
  const DASH = '—';

  const charts = new Map();    // topic name -> {box, plot}; kept across refreshes
  const rendered = new Map();  // container id -> JSON of the data it currently shows
  let lastOkAt = null;

  const byId = (id) => document.getElementById(id);
  const has = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') e.className = v;
      else e.setAttribute(k, String(v));
    }
    for (const k of kids) {
      if (k == null) continue;
      e.appendChild(k instanceof Node ? k : document.createTextNode(String(k)));
    }
    return e;
  }

  const empty = (text) => el('p', {class: 'empty'}, text);
  const badge = (text, kind) => el('span', {class: 'badge ' + kind}, text);
  const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');

  // Sort by several keys; numbers numerically, strings naturally.
  function sortBy(arr, ...keys) {
    return (arr || []).slice().sort((a, b) => {
      for (const key of keys) {
        const x = key(a), y = key(b);
        const c = typeof x === 'number' && typeof y === 'number'
          ? x - y : String(x).localeCompare(String(y), 'en', {numeric: true});
        if (c) return c;
      }
      return 0;
    });
  }

  // ---- formatting

  const fmtNum = (n) => (n == null ? DASH : Number(n).toLocaleString('en-US'));
  const fmtIds = (ids) => (ids && ids.length ? ids.join(', ') : DASH);
  const fmtTime = (ms) => new Date(ms).toLocaleTimeString('en-GB');

  function fmtBytes(n) {
    if (n == null) return DASH;
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = Number(n), i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return i === 0 ? v + ' B' : v.toFixed(v < 10 ? 2 : 1) + ' ' + units[i];
  }

  function fmtAgo(ms) {
    if (ms == null) return 'never';
    if (ms < 60e3) return (ms / 1000).toFixed(1) + ' s ago';
    if (ms < 3600e3) return Math.round(ms / 60e3) + ' min ago';
    return (ms / 3600e3).toFixed(1) + ' h ago';
  }

  function fmtRate(v) {
    if (v == null) return DASH;
    const a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + 'M';
    if (a >= 1e3) return (v / 1e3).toFixed(a >= 1e4 ? 0 : 1) + 'k';
    return a >= 10 || v === 0 ? String(Math.round(v)) : v.toFixed(1);
  }

  // cols: [{label, num}]; rows: [{cells, cls, attrs}]
  function table(cls, cols, rows, footRow) {
    const align = (i) => (cols[i].num ? 'num' : null);
    const thead = el('thead', null, el('tr', null, ...cols.map((c, i) => el('th', {class: align(i)}, c.label))));
    const tbody = el('tbody');
    for (const r of rows) {
      const tr = el('tr', Object.assign({class: r.cls || null}, r.attrs));
      r.cells.forEach((v, i) => tr.appendChild(el('td', {class: align(i)}, v)));
      tbody.appendChild(tr);
    }
    const t = el('table', {class: cls}, thead, tbody);
    if (footRow) t.appendChild(el('tfoot', null, footRow));
    return el('div', {class: 'table-wrap'}, t); // wide tables scroll instead of breaking the layout
  }

  // Rebuilding identical content would drop the operator's text selection every 2 s.
  function renderInto(id, data, build) {
    const key = JSON.stringify(data);
    if (rendered.get(id) === key) return;
    rendered.set(id, key);
    byId(id).replaceChildren(...build(data));
  }

  function setCount(name, n) {
    const span = document.querySelector('[data-count="' + name + '"]');
    if (span) span.textContent = '(' + n + ')';
  }

  // ---- brokers

  const BROKER_COLS = [{label: 'id', num: true}, {label: 'address'}, {label: 'status'},
    {label: 'leaders', num: true}, {label: 'replicas', num: true}, {label: 'last heartbeat', num: true},
    {label: 'last report', num: true}];

  function buildBrokers(brokers) {
    if (!brokers.length) return [empty('no brokers registered yet')];
    const rows = sortBy(brokers, (b) => b.id).map((b) => ({
      cls: b.alive ? null : 'dead',
      attrs: {'data-broker': b.id},
      cells: [b.id, b.host + ':' + b.port, b.alive ? badge('alive', 'ok') : badge('dead', 'bad'),
        fmtNum(b.leaders), fmtNum(b.replicas), fmtAgo(b.lastHeartbeatMsAgo), fmtAgo(b.lastReportMsAgo)],
    }));
    return [table('brokers-table', BROKER_COLS, rows)];
  }

  // ---- topics

  const PARTITION_COLS = [{label: 'partition', num: true}, {label: 'leader', num: true},
    {label: 'leader epoch', num: true}, {label: 'replicas'}, {label: 'ISR'},
    {label: 'log start', num: true}, {label: 'high watermark', num: true},
    {label: 'log end', num: true}, {label: 'size', num: true}];

  function topicSummary(parts) {
    const under = parts.filter((p) => p.underReplicated).length;
    const offline = parts.filter((p) => p.offline).length;
    const size = parts.reduce((s, p) => s + (p.sizeBytes || 0), 0);
    // A leader that has not reported yet makes the total a lower bound, not a fact.
    const partial = parts.some((p) => p.sizeBytes == null);
    return el('div', {class: 'summary'},
      plural(parts.length, 'partition'), ' · ', (partial ? '≥ ' : '') + fmtBytes(size), ' · ',
      el('span', {class: under ? 'warn-text' : null}, under + ' under-replicated'),
      offline ? ' · ' : null, offline ? el('span', {class: 'bad-text'}, offline + ' offline') : null);
  }

  function buildTopics(topics) {
    if (!topics.length) return [empty('no topics yet')];
    return sortBy(topics, (t) => t.name).map((t) => {
      const parts = sortBy(t.partitions, (p) => p.partition);
      const rows = parts.map((p) => ({
        // Both classes may apply; the stylesheet lets "offline" win.
        cls: [p.underReplicated ? 'under-replicated' : '', p.offline ? 'offline' : ''].join(' ').trim(),
        attrs: {'data-partition': p.partition},
        cells: [p.partition, p.leader < 0 ? 'none' : p.leader, fmtNum(p.leaderEpoch),
          fmtIds(p.replicas), fmtIds(p.isr), fmtNum(p.logStartOffset), fmtNum(p.highWatermark),
          fmtNum(p.logEndOffset), fmtBytes(p.sizeBytes)],
      }));
      return el('section', {class: 'topic', 'data-topic': t.name},
        el('div', {class: 'item-head'}, el('h3', {class: 'topic-name'}, t.name), topicSummary(parts)),
        parts.length ? table('partitions', PARTITION_COLS, rows) : empty('no partitions'));
    });
  }

  // ---- consumer groups

  const MEMBER_COLS = [{label: 'client id'}, {label: 'host'}, {label: 'member id'},
    {label: 'instance id'}, {label: 'assigned partitions'}];
  const OFFSET_COLS = [{label: 'topic'}, {label: 'partition', num: true}, {label: 'committed', num: true},
    {label: 'high watermark', num: true}, {label: 'lag', num: true}];
  const STATE_KIND = {Stable: 'ok', PreparingRebalance: 'warn', CompletingRebalance: 'warn', Dead: 'bad'};

  function buildGroup(g) {
    const members = sortBy(g.members, (m) => m.clientId || '', (m) => m.memberId);
    const offsets = sortBy(g.offsets, (o) => o.topic, (o) => o.partition);
    const known = offsets.filter((o) => o.lag != null);
    const totalLag = known.reduce((s, o) => s + o.lag, 0);
    // Unknown lags make the total a lower bound; say so instead of under-reporting.
    const lagText = (known.length < offsets.length ? '≥ ' : '') + fmtNum(totalLag);

    const memberRows = members.map((m) => ({
      attrs: {'data-member': m.memberId},
      cells: [m.clientId || DASH, m.host || DASH, m.memberId, m.instanceId == null ? DASH : m.instanceId,
        fmtIds(sortBy(m.assignment, (a) => a.topic, (a) => a.partition).map((a) => a.topic + '-' + a.partition))],
    }));
    const offsetRows = offsets.map((o) => ({
      cls: o.lag > 0 ? 'lagging' : null,
      cells: [o.topic, o.partition, fmtNum(o.committed), fmtNum(o.highWatermark), fmtNum(o.lag)],
    }));
    const foot = el('tr', null, el('td', {colspan: 4}, 'total lag'), el('td', {class: 'num total-lag'}, lagText));

    return el('section', {class: 'group', 'data-group': g.group},
      el('div', {class: 'item-head'},
        el('h3', {class: 'group-name'}, g.group), badge(g.state || 'Unknown', STATE_KIND[g.state] || 'muted'),
        el('div', {class: 'summary'}, 'generation ' + fmtNum(g.generation), ' · protocol ' + (g.protocol || DASH),
          ' · ' + plural(members.length, 'member'), ' · total lag ',
          el('span', {class: totalLag > 0 ? 'warn-text' : null}, lagText))),
      el('div', {class: 'group-body'},
        el('div', null, el('h4', null, 'Members'),
          members.length ? table('members', MEMBER_COLS, memberRows) : empty('no active members')),
        el('div', null, el('h4', null, 'Committed offsets'),
          offsets.length ? table('offsets', OFFSET_COLS, offsetRows, foot) : empty('no committed offsets'))));
  }

  const buildGroups = (groups) => (groups.length ? sortBy(groups, (g) => g.group).map(buildGroup)
    : [empty('no consumer groups yet')]);

  function renderOverview(ov) {
    const brokers = ov.brokers || [], topics = ov.topics || [], groups = ov.groups || [];
    byId('epoch').textContent = 'epoch ' + fmtNum(ov.epoch);
    setCount('brokers', brokers.length);
    setCount('topics', topics.length);
    setCount('groups', groups.length);
    renderInto('brokers', brokers, buildBrokers);
    renderInto('topics', topics, buildTopics);
    renderInto('groups', groups, buildGroups);
    renderSummary(brokers, topics, groups);
  }

  // One line an operator can glance at without scrolling.
  function renderSummary(brokers, topics, groups) {
    const parts = [].concat(...topics.map((t) => t.partitions || []));
    const dead = brokers.filter((b) => !b.alive).length;
    const under = parts.filter((p) => p.underReplicated).length;
    const offline = parts.filter((p) => p.offline).length;
    const bits = [plural(brokers.length, 'broker'), dead ? el('span', {class: 'bad-text'}, dead + ' dead') : null,
      plural(topics.length, 'topic'), plural(parts.length, 'partition'),
      under ? el('span', {class: 'warn-text'}, under + ' under-replicated') : null,
      offline ? el('span', {class: 'bad-text'}, offline + ' offline') : null,
      plural(groups.length, 'group')].filter(Boolean);
    const kids = [];
    bits.forEach((b, i) => { if (i) kids.push(' · '); kids.push(b); });
    byId('summary').replaceChildren(...kids.map((k) => (k instanceof Node ? k : document.createTextNode(k))));
  }

  // ---- charts

  // Two charts per row on wide screens keeps many topics from becoming a long scroll.
  function chartWidth() {
    const cw = byId('charts').clientWidth;
    // The slack absorbs a scrollbar appearing after the charts were sized.
    return Math.max(240, Math.min(CHART_MAX_WIDTH, cw >= 1000 ? Math.floor((cw - 16) / 2) - 20 : cw - 4));
  }

  function chartData(s) {
    const t = s.t || [], inn = s.in || [], out = s.out || [];
    const n = Math.min(t.length, inn.length, out.length);
    return [t.slice(0, n).map((ms) => ms / 1000), inn.slice(0, n), out.slice(0, n)]; // uPlot wants seconds
  }

  function makeChart(name, data) {
    // data-chart, not data-topic: [data-topic] is reserved for the one section per topic.
    const box = el('div', {class: 'chart', 'data-chart': name}, el('h3', {class: 'chart-title'}, name));
    const series = (label, color, fill) => ({label, stroke: color, width: 2, fill: fill ? color + '12' : null,
      points: {size: 4},
      value: (u, v) => (v == null ? DASH : fmtRate(v) + '/s')});
    const plot = new uPlot({
      width: chartWidth(),
      height: CHART_HEIGHT,
      // Drag-zoom would be reset by setData every 2 s, so it only confuses.
      cursor: {drag: {x: false, y: false}},
      // x is set by hand (see setX): uPlot's auto range makes a 1-point series span years.
      scales: {x: {time: true, auto: false}, y: {range: (u, min, max) => [0, max > 0 ? max * 1.15 : 10]}},
      series: [{}, series('records/s in', '#2563eb', true), series('records/s out', '#16a34a', false)],
      axes: [{stroke: '#6a737d', grid: {stroke: '#eef0f2'}},
        {stroke: '#6a737d', grid: {stroke: '#eef0f2'}, size: 50, values: (u, vals) => vals.map(fmtRate)}],
    }, data, box);
    setX(plot, data);
    return {box, plot};
  }

  // At least one minute wide, ending at the newest point, so fresh topics look sane.
  function setX(plot, data) {
    const xs = data[0];
    const end = xs.length ? xs[xs.length - 1] : Date.now() / 1000;
    plot.setScale('x', {min: Math.min(xs.length ? xs[0] : end, end - 60), max: end});
  }

  function renderCharts(rates) {
    const root = byId('charts');
    if (typeof uPlot === 'undefined') {
      root.replaceChildren(empty('charting library failed to load (/vendor/uplot/uPlot.iife.min.js)'));
      return;
    }
    const topics = (rates && rates.topics) || {};
    const names = Object.keys(topics).sort((a, b) => a.localeCompare(b, 'en', {numeric: true}));
    for (const [name, c] of charts) {
      if (has(topics, name)) continue;
      c.plot.destroy();
      c.box.remove();
      charts.delete(name);
    }
    for (const p of root.querySelectorAll(':scope > .empty')) p.remove();
    if (!names.length) { root.appendChild(empty('no topics yet')); return; }
    names.forEach((name, i) => {
      const data = chartData(topics[name]);
      let c = charts.get(name);
      if (c) { c.plot.setData(data); setX(c.plot, data); }
      else charts.set(name, c = makeChart(name, data));
      // Keep alphabetical order; moving a node keeps its canvas, so no re-create is needed.
      if (root.children[i] !== c.box) root.insertBefore(c.box, root.children[i] || null);
    });
  }

  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const c of charts.values()) c.plot.setSize({width: chartWidth(), height: CHART_HEIGHT});
    }, 150);
  });

  // ---- refresh loop

  async function fetchJson(path) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), FETCH_TIMEOUT_MS);
    try {
      const r = await fetch(path, {cache: 'no-store', signal: ctl.signal, headers: {Accept: 'application/json'}});
      if (!r.ok) throw new Error('HTTP ' + r.status + (r.statusText ? ' ' + r.statusText : ''));
      return await r.json();
    } catch (e) {
      throw new Error(path + ': ' + (e.name === 'AbortError' ? 'timed out' : e.message));
    } finally {
      clearTimeout(timer);
    }
  }

  // Each endpoint is rendered on its own so one failing does not blank the other.
  async function refresh() {
    const settle = (p) => p.then((value) => ({value}), (error) => ({error}));
    const [ov, rt] = await Promise.all([settle(fetchJson('/api/overview')), settle(fetchJson('/api/rates'))]);
    const errors = [];
    const apply = (res, fn, what) => {
      if (res.error) { errors.push(res.error.message); return; }
      try { fn(res.value); } catch (e) { errors.push('rendering ' + what + ': ' + e.message); console.error(e); }
    };
    apply(ov, renderOverview, 'overview');
    apply(rt, renderCharts, 'rates');
    setStatus(errors);
  }

  function setStatus(errors) {
    const banner = byId('error'), live = byId('live'), text = byId('live-text');
    if (!errors.length) {
      lastOkAt = Date.now();
      banner.hidden = true;
      banner.textContent = '';
      live.className = 'live ok';
      text.textContent = 'live · updated ' + fmtTime(lastOkAt);
      return;
    }
    banner.hidden = false;
    banner.textContent = 'Refresh failed: ' + errors.join('; ') + ' (retrying every ' + REFRESH_MS / 1000 + ' s)';
    live.className = 'live stale';
    text.textContent = lastOkAt ? 'stale · last update ' + fmtTime(lastOkAt) : 'no data';
  }

  // setTimeout chain (not setInterval) so a slow server never gets overlapping requests.
  function loop() {
    refresh()
      .catch((e) => setStatus([String(e && e.message || e)]))
      .then(() => setTimeout(loop, REFRESH_MS));
  }

  loop();
})();
