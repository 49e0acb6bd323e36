// The tamper-evident log: the current signed checkpoint, the tree size,
// the verifier key, how to check it all with the CLI, and the entries the
// checkpoint signs, page by page. The public is served the content of
// public leaves only (parties, agreements); every other entry
// comes as its kind, time and leaf hash, marked withheld, and the page
// says what that means.
import { api, el, clear, errorBox, fmtUTC, fmtN, words } from '../app.js';

const PAGE = 25;

// What each kind of leaf records, in words.
const kindWords = {
  party: 'a party', agreement_version: 'a version of an agreement', agreement_status: 'a change of an agreement\'s status',
  claim: 'a party\'s claim', report: 'a report', report_batch: 'a batch of imported reports', observation: 'a sensor observation',
  observation_batch: 'a batch of sensor observations', transition: 'a step of an incident through the review',
  finding: 'a finding of the adjudication', reply: 'a reply of an accused party', user: 'a user account',
  incident_grouping: 'a grouping of reports into incidents', incident_state: 'an incident\'s state',
  alert_rule: 'an alert rule', alert: 'an alert', access_restriction: 'an access restriction',
  negotiation_issue: 'an issue of a negotiation', negotiation_statement: 'a statement in a negotiation',
  negotiation_precondition: 'a precondition set in a negotiation', negotiation_event: 'an event of a negotiation',
  negotiation_draft: 'a draft of an agreement under negotiation',
};

export default {
  path: '/log',
  title: 'Log',
  nav: { label: 'Log', order: 80 },
  async render(main, _params, app) {
    clear(main, el('h1', {}, 'The record'), el('p', {}, 'Every accepted report, status change, agreement version and decision is a leaf in an append-only Merkle log (RFC 6962). Signed checkpoints commit to its size and root hash, so anyone can check that nothing was removed, altered or back-dated.'));
    const box = el('div', { class: 'grid cols-2' });
    const entriesBox = el('section', { class: 'card', 'aria-labelledby': 'entries-h', id: 'entries' });
    main.append(box, entriesBox);
    let cp, key;
    try {
      [cp, key] = await Promise.all([api('/api/v1/log/checkpoint'), fetch('/api/v1/log/key').then((r) => (r.ok ? r.text() : ''))]);
    } catch (err) {
      box.append(errorBox(err, 'the checkpoint'));
      return;
    }
    box.append(
      el('section', { class: 'card', 'aria-labelledby': 'cp-h' },
        el('h2', { id: 'cp-h' }, 'Current checkpoint'),
        el('dl', { class: 'kv' },
          el('dt', {}, 'Tree size'), el('dd', { 'data-testid': 'tree-size' }, fmtN(cp.size), ' entries'),
          el('dt', {}, 'Root hash'), el('dd', { class: 'mono' }, String(cp.root)),
          el('dt', {}, 'Signed'), el('dd', {}, fmtUTC(cp.at))),
        el('h3', {}, 'Signed note'), el('pre', { class: 'mono card', style: 'white-space:pre-wrap' }, cp.note)),
      el('section', { class: 'card', 'aria-labelledby': 'key-h' },
        el('h2', { id: 'key-h' }, 'Verifier key'),
        el('pre', { class: 'mono card', style: 'white-space:pre-wrap' }, key || '(not available)'),
        el('h2', {}, 'How to verify'),
        el('ol', {},
          el('li', {}, 'Save the key above to a file, e.g. ', el('code', {}, 'truce.pub'), '.'),
          el('li', {}, 'Check this server\'s log against every checkpoint: ', el('pre', { class: 'mono' }, `truce log verify --server ${location.origin} --key truce.pub`),
            'With the API token of an admin, monitor or analyst, every entry is checked by its content, withheld ones included: ',
            el('pre', { class: 'mono' }, `truce log verify --server ${location.origin} --key truce.pub --token TOKEN`)),
          el('li', {}, 'Keep watching that it only grows: ', el('pre', { class: 'mono' }, `truce log witness --server ${location.origin} --state ./witness --key truce.pub`)),
          el('li', {}, 'Or fetch proofs yourself: ', el('a', { href: '/api/v1/log/proof/consistency?from=1&to=' + cp.size }, 'consistency proof'), ', ', el('a', { href: '/api/v1/log/entries?start=0&end=10' }, 'first entries'), '.'))));
    renderEntries(entriesBox, cp, app);
  },
};

// renderEntries lists the entries the checkpoint signs, newest first, a
// page at a time, with what a withheld entry is.
function renderEntries(section, cp, app) {
  const size = cp.size;
  const signedIn = !!app.user;
  const status = el('p', { id: 'entries-range', 'aria-live': 'polite' });
  const table = el('div', { class: 'scroll' });
  const newer = el('button', { type: 'button', class: 'small', id: 'entries-newer' }, 'Newer entries');
  const older = el('button', { type: 'button', class: 'small', id: 'entries-older' }, 'Older entries');
  const indexIn = el('input', { id: 'entries-at', type: 'number', min: 0, max: Math.max(0, size - 1), inputmode: 'numeric', style: 'width:8rem' });
  const goForm = el('form', { class: 'queue-nav', 'aria-label': 'Go to an entry' },
    el('label', { for: 'entries-at' }, 'Go to entry'), indexIn, el('button', { type: 'submit', class: 'small' }, 'Go'));
  // What is withheld depends on who asks (the API decides, by kind, and
  // for an agreement's status change by whether its entry names the
  // admin): the public reads parties and agreements; a party liaison
  // every kind but those that name people; other roles all.
  const liaison = signedIn && app.user.role === 'liaison';
  const note = liaison
    ? el('div', { class: 'note', id: 'withheld-note' },
      el('p', {}, el('strong', {}, 'Withheld entries. '),
        'You are signed in as a party liaison: every entry is shown in full except those that name people: reports (who sent them), replies (who wrote them), claims, review steps and the other records of the mission\'s staff (who made them), status changes recorded before their entries stopped naming the admin, and user accounts. You read your own party\'s reports and replies on their pages. ',
        'A withheld entry is shown with its index, kind, time and leaf hash.'),
      el('p', {}, 'It is still covered by the signed tree: each leaf hash is part of the root hash the checkpoint signs, so a withheld entry cannot be changed, removed or back-dated without the checkpoint failing to verify.'))
    : signedIn
    ? el('p', { class: 'note', id: 'withheld-note' },
      `You are signed in (${app.user.role}): every entry is shown in full, including those withheld from the public. `,
      'The public sees the content of parties and agreements only; the other entries appear to it with their kind, time and leaf hash, marked withheld.')
    : el('div', { class: 'note', id: 'withheld-note' },
      el('p', {}, el('strong', {}, 'Withheld entries. '),
        'The public reads the content of parties and agreements, and of agreements\' status changes, whose entries hold a commitment to the admin\'s name rather than the name (those recorded before Truce made that change name the admin and are withheld). The other entries (reports, which name who sent them and may not be verified; claims, which name the monitor who recorded them; review steps; findings; replies; user accounts; staff work) are shown with their index, kind, time and leaf hash only: their content is withheld from the public.'),
      el('p', {}, 'They are still covered by the signed tree: each leaf hash is part of the root hash the checkpoint signs, so a withheld entry cannot be changed, removed or back-dated without the checkpoint failing to verify. ',
        el('code', {}, 'truce log verify --server URL'), ' checks them by their hash.'),
      el('p', {}, el('a', { href: '/login' }, 'Signed-in users'), ' see every entry in full (party liaisons all but those that name people); with the API token of an admin, monitor or analyst, ',
        el('code', {}, `truce log verify --server ${location.origin} --token TOKEN`), ' checks every entry by its content.'));
  clear(section, el('h2', { id: 'entries-h' }, 'Entries'), note, el('div', { class: 'queue-nav' }, newer, older, goForm), status, table);

  if (size === 0) {
    status.textContent = 'The log is empty.';
    newer.disabled = older.disabled = true;
    return;
  }
  // end is one past the newest entry shown; pages run down from it.
  let end = size;
  const show = async () => {
    const start = Math.max(0, end - PAGE);
    // A button that turns disabled drops the keyboard's focus: hand it to
    // the other one.
    const had = document.activeElement;
    newer.disabled = end >= size;
    older.disabled = start === 0;
    if (had === older && older.disabled && !newer.disabled) newer.focus();
    if (had === newer && newer.disabled && !older.disabled) older.focus();
    table.setAttribute('aria-busy', 'true');
    let res;
    try {
      res = await api(`/api/v1/log/entries?start=${start}&end=${end}`);
    } catch (err) {
      clear(table, errorBox(err, 'the entries'));
      table.setAttribute('aria-busy', 'false');
      return;
    }
    const es = (res.entries || []).slice().reverse();
    const withheld = es.filter((e) => e.withheld).length;
    status.textContent = `Entries ${fmtN(start)} to ${fmtN(end - 1)} of the ${fmtN(size)} the checkpoint signs, newest first` +
      (withheld ? `; ${fmtN(withheld)} of them withheld.` : '.') +
      (res.size > size ? ` The log has grown to ${fmtN(res.size)} entries since; the next checkpoint will sign them.` : '');
    clear(table, el('table', { id: 'entries-table' },
      el('caption', { class: 'help', style: 'text-align:left' }, 'Log entries: index, kind, time, leaf hash and content'),
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col', class: 'num' }, 'Index'), el('th', { scope: 'col' }, 'Kind'), el('th', { scope: 'col' }, 'Time (UTC)'),
        el('th', { scope: 'col' }, 'Leaf hash'), el('th', { scope: 'col' }, 'Content'))),
      el('tbody', {}, es.map((e) => el('tr', { 'data-index': e.index, 'data-withheld': e.withheld ? 'true' : 'false' },
        el('th', { scope: 'row', class: 'num' }, String(e.index)),
        el('td', {}, words(e.kind), kindWords[e.kind] ? el('span', { class: 'help' }, el('br'), kindWords[e.kind]) : null),
        el('td', {}, fmtUTC(e.at)),
        el('td', { class: 'mono' }, String(e.hash)),
        el('td', {}, e.withheld ? withheldCell() : contentCell(e)))))));
    table.setAttribute('aria-busy', 'false');
  };
  const withheldCell = () => el('span', {}, el('span', { class: 'badge withheld' }, 'withheld'), ' ',
    el('span', { class: 'help' }, 'content not public; its hash is in the signed tree'));
  const contentCell = (e) => el('details', {},
    el('summary', {}, e.record_id ? `Record ${e.record_id}` : 'Leaf data'),
    el('pre', { class: 'mono' }, e.leaf ? JSON.stringify(e.leaf, null, 2) : atobSafe(e.data)));
  newer.addEventListener('click', () => { end = Math.min(size, end + PAGE); show(); });
  older.addEventListener('click', () => { end = Math.max(Math.min(PAGE, size), end - PAGE); show(); });
  goForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const i = Number(indexIn.value);
    if (!Number.isInteger(i) || i < 0 || i >= size) { indexIn.setCustomValidity(`An index from 0 to ${size - 1}`); indexIn.reportValidity(); return; }
    indexIn.setCustomValidity('');
    end = Math.min(size, i + PAGE);
    show();
  });
  indexIn.addEventListener('input', () => indexIn.setCustomValidity(''));
  show();
}

// atobSafe shows leaf data that is not JSON (sent base64-encoded) as text.
function atobSafe(b64) {
  try { return atob(b64 || ''); } catch { return String(b64 || ''); }
}
