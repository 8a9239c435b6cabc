/**
 * The plain status page at `/` until the map exists: live counts of observations and incidents
 * by zone and sector, sensor health, recent incidents, and links to the API docs. It reads the
 * API key from the URL fragment (never sent to the server, so never logged) or asks for it, and
 * polls the public API like any other client.
 */
export function statusPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Armistice — status</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1f24; background: #f6f7f9; }
  h1 { font-size: 1.3rem; margin: 0 0 .2rem; } h2 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
  .notional { color: #8a4b00; font-weight: 600; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; }
  section { background: #fff; border: 1px solid #d8dde3; border-radius: 6px; padding: .8rem 1rem; }
  table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: 2px 6px; border-bottom: 1px solid #eef0f3; }
  th { font-weight: 600; color: #4b5563; } .num { text-align: right; font-variant-numeric: tabular-nums; }
  .ok { color: #1a7f37; } .silent, .critical, .high { color: #b42318; } .interfered, .medium { color: #b54708; } .unknown, .low { color: #6b7280; }
  #err { color: #b42318; } input { width: 28rem; }
</style>
</head>
<body>
<h1>Armistice — monitoring status</h1>
<div class="notional">Demo data on a NOTIONAL line of contact. Not a real ceasefire line.</div>
<p>API: <a href="/api/v1/docs">documentation</a> · <a href="/api/v1/openapi.json">OpenAPI</a> · <span id="now"></span></p>
<form id="keyform" hidden><label>API key <input id="key" type="password" autocomplete="off"></label> <button>Use</button></form>
<div id="err"></div>
<div class="grid">
  <section><h2>Totals</h2><table id="totals"></table></section>
  <section><h2>Incidents by status</h2><table id="bystatus"></table></section>
  <section><h2>By zone and sector</h2><table id="byzone"></table></section>
  <section><h2>Sensor health</h2><table id="sensors"></table></section>
</div>
<section style="margin-top:1rem"><h2>Latest incidents</h2><table id="incidents"></table></section>
<script>
(() => {
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('key');
  if (fromHash) { sessionStorage.setItem('armistice-key', fromHash); history.replaceState(null, '', location.pathname); }
  let key = sessionStorage.getItem('armistice-key');
  if (!key) $('keyform').hidden = false;
  $('keyform').onsubmit = (e) => { e.preventDefault(); key = $('key').value.trim(); sessionStorage.setItem('armistice-key', key); $('keyform').hidden = true; tick(); };
  const get = async (path) => {
    const r = await fetch(path, { headers: { authorization: 'Bearer ' + key } });
    if (r.status === 401) { $('keyform').hidden = false; throw new Error('the API key was not accepted'); }
    if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
    return r.json();
  };
  const rows = (pairs, head) => (head ? '<tr>' + head.map((h) => '<th>' + esc(h) + '</th>').join('') + '</tr>' : '') +
    pairs.map((cells) => '<tr>' + cells.map((c, i) => '<td' + (i > 0 && typeof c === 'number' ? ' class="num"' : '') + '>' + (c && c.html ? c.html : esc(c)) + '</td>').join('') + '</tr>').join('');
  async function tick() {
    if (!key) return;
    try {
      const [s, inc] = await Promise.all([get('/api/v1/status'), get('/api/v1/incidents?limit=15')]);
      $('err').textContent = '';
      $('now').textContent = 'server time ' + s.now + ' · zones v' + s.zoneSpecVersion + ' · rules v' + s.ruleSetVersion;
      const byStatus = s.counts.incidentsByStatus;
      const incTotal = Object.values(byStatus).reduce((a, b) => a + b, 0);
      $('totals').innerHTML = rows([['Observations', s.counts.observations], ['Incidents', incTotal], ['Sensors', s.sensors.length]]);
      $('bystatus').innerHTML = rows(Object.entries(byStatus).sort(), ['Status', 'Incidents']);
      const zones = new Set([...Object.keys(s.counts.observationsByZone), ...Object.keys(s.counts.incidentsByZone)]);
      $('byzone').innerHTML = rows([...zones].sort().map((z) => [z, s.counts.observationsByZone[z] || 0, s.counts.incidentsByZone[z] || 0]), ['Zone', 'Observations', 'Incidents']);
      const health = {}; for (const h of s.sensors) health[h.status] = (health[h.status] || 0) + 1;
      $('sensors').innerHTML = rows(Object.entries(health).sort().map(([k, n]) => [{ html: '<span class="' + esc(k) + '">' + esc(k) + '</span>' }, n]), ['Status', 'Sensors']) +
        rows(s.sensors.filter((h) => h.status !== 'ok').slice(0, 12).map((h) => [h.sensorId, { html: '<span class="' + esc(h.status) + '">' + esc(h.status) + '</span>' }, h.lastSeen || '—']));
      $('incidents').innerHTML = rows(inc.items.map((i) => [i.lastObservedAt.replace('T', ' ').slice(0, 19), { html: '<span class="' + esc(i.severity) + '">' + esc(i.severity) + '</span>' }, i.ruleId, i.status, (i.sectors || []).join(' '), i.corroboration, i.sourceCount]),
        ['Last seen (UTC)', 'Severity', 'Rule', 'Status', 'Sector', 'Sensors', 'Sources']);
    } catch (e) { $('err').textContent = e.message; }
  }
  tick(); setInterval(tick, 2000);
})();
</script>
</body>
</html>
`;
}
