// Sign in with a user name and password (a session cookie; writes then
// carry the CSRF token). Signing out is the button in the header.
import { api, el, clear, errorBox } from '../app.js';

export default {
  path: '/login',
  title: 'Sign in',
  async render(main, _params, app) {
    const user = el('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true });
    const pass = el('input', { id: 'login-pass', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const msg = el('div', { 'aria-live': 'polite' });
    const form = el('form', { class: 'card', style: 'max-width:26rem' },
      el('div', { class: 'field' }, el('label', { for: 'login-user' }, 'User name'), user),
      el('div', { class: 'field' }, el('label', { for: 'login-pass' }, 'Password'), pass),
      el('button', { type: 'submit', class: 'primary' }, 'Sign in'), msg);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clear(msg);
      try {
        const data = await api('/auth/login', { method: 'POST', body: { username: user.value, password: pass.value } });
        if (data && (data.csrf_token || data.csrf)) app.csrf = data.csrf_token || data.csrf;
        await app.refreshSession();
        const next = new URLSearchParams(location.search).get('next');
        app.navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : (app.can('monitor', 'admin') ? '/queue' : '/'));
      } catch (err) {
        msg.append(errorBox(err));
        pass.select();
      }
    });
    clear(main, el('h1', {}, 'Sign in'),
      app.user ? el('p', { class: 'note' }, `You are signed in as ${app.user.name} (${app.user.role}).`) : null,
      el('p', { class: 'muted' }, 'Monitors, liaisons, analysts and admins sign in here. Everyone else sees what is published without signing in.'),
      form);
    user.focus();
  },
};
