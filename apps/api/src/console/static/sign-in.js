import { api } from './api.js';
import { h } from './dom.js';

/** Sign in with email and password; `onSignedIn(user)` takes over once the session cookie is set. */
export function renderSignIn(view, { notice, onSignedIn }) {
  const error = h('p', { id: 'sign-in-error', class: 'form-error', role: 'alert' });
  const email = h('input', {
    id: 'email',
    name: 'email',
    type: 'email',
    autocomplete: 'username',
    required: true,
    'aria-describedby': 'sign-in-error',
  });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'aria-describedby': 'sign-in-error',
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card sign-in', novalidate: true, 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title', tabindex: '-1' }, 'Sign in to Herald'),
    notice ? h('p', { class: 'notice' }, notice) : null,
    h('div', { class: 'field' }, h('label', { for: 'email' }, 'Email'), email),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    error,
    h('div', { class: 'actions' }, submit),
  );

  const showError = (message, field) => {
    error.textContent = message;
    for (const input of [email, password]) input.removeAttribute('aria-invalid');
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!email.value.trim()) return showError('Enter your email address.', email);
    if (!password.value) return showError('Enter your password.', password);
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    error.textContent = '';
    try {
      const session = await api('/v1/auth/login', {
        method: 'POST',
        body: { email: email.value.trim(), password: password.value },
      });
      // The token in the answer is for API clients; the console relies on the httpOnly cookie only.
      onSignedIn(session.user);
    } catch (failure) {
      password.value = '';
      showError(failure.message, failure.status === 401 ? password : null);
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });

  view.replaceChildren(form);
  email.focus();
}
