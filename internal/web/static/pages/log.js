// The tamper-evident log: the current signed checkpoint, the tree size,
// the verifier key and how to check it all with the CLI.
import { api, el, clear, errorBox, fmtUTC, fmtN } from '../app.js';

export default {
  path: '/log',
  title: 'Log',
  nav: { label: 'Log', order: 80 },
  async render(main) {
    clear(main, el('h1', {}, 'The record'), el('p', {}, 'Every accepted report, status change, agreement version and decision is a leaf in an append-only Merkle log (RFC 6962). Signed checkpoints commit to its size and root hash, so anyone can check that nothing was removed, altered or back-dated.'));
    const box = el('div', { class: 'grid cols-2' });
    main.append(box);
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
          el('li', {}, 'Check this server\'s log against every checkpoint: ', el('pre', { class: 'mono' }, `truce log verify --server ${location.origin} --key truce.pub`)),
          el('li', {}, 'Keep watching that it only grows: ', el('pre', { class: 'mono' }, `truce log witness --server ${location.origin} --state ./witness --key truce.pub`)),
          el('li', {}, 'Or fetch proofs yourself: ', el('a', { href: '/api/v1/log/proof/consistency?from=1&to=' + cp.size }, 'consistency proof'), ', ', el('a', { href: '/api/v1/log/entries?start=0&end=10' }, 'first entries'), '.'))));
  },
};
