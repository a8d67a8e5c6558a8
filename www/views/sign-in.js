// Sign-in, when the page is served by a Tally server: email and password, refusals in
// plain words. On success the page starts again with the signed-in user's books.

import { h } from '../ui/dom.js';
import { field } from '../ui/forms.js';

export function render(ctx) {
  const email = field({ label: 'E-mail', name: 'email', type: 'email', required: true, attrs: { autocomplete: 'username' } });
  const password = field({ label: 'Password', name: 'password', type: 'password', required: true, attrs: { autocomplete: 'current-password' } });
  const error = h('p', { class: 'field-error', id: 'sign-in-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Sign in');
  const say = (text) => { error.textContent = text; error.hidden = false; };
  const form = h('form', { class: 'form sign-in', novalidate: true, on: { submit: async (event) => {
    event.preventDefault();
    error.hidden = true;
    if (!email.input.value.trim() || !password.input.value) {
      say('Enter your e-mail and your password.');
      (email.input.value.trim() ? password.input : email.input).focus();
      return;
    }
    submit.disabled = true;
    try {
      await ctx.transport.login(email.input.value.trim(), password.input.value);
      ctx.signedIn();
    } catch (e) {
      say(e.code === 'unauthorized' ? 'That e-mail and password don\'t match an account. Check them and try again.'
        : e.code === 'rate_limited' ? `Too many attempts. Wait ${Math.ceil((e.retryAfterMs || 60000) / 1000)} seconds, then try again.`
          : e.code === 'offline' ? 'The server can\'t be reached. Check your connection and try again.'
            : `Signing in failed: ${e.message}`);
      password.input.focus();
    } finally {
      submit.disabled = false;
    }
  } } }, email.el, password.el, error, h('div', { class: 'form-actions' }, submit));
  const node = h('section', { class: 'screen narrow' },
    h('h1', { tabindex: -1 }, 'Sign in to Tally'),
    h('p', { class: 'lead' }, 'These books are shared through a server. Sign in with the account an owner made for you.'),
    form);
  return { node, title: 'Sign in' };
}
