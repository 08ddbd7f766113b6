// The API as the browser uses it: same origin, the session cookie (never the
// key) authenticates; a 401/403 sends the user to the sign-in form.

export class SignedOut extends Error {}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function get(path) {
  const r = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (r.status === 401 || r.status === 403) throw new SignedOut();
  if (!r.ok) {
    let msg = r.statusText;
    try {
      msg = (await r.json()).messages || msg;
    } catch {
      /* not JSON */
    }
    throw new ApiError(r.status, msg);
  }
  return r.json();
}

// POST (or another method) without a body: an action; the browser adds the
// Origin the server checks. Resolves to the JSON answer; throws ApiError
// with the message.
export async function post(path, method = 'POST') {
  const r = await fetch(path, { method, credentials: 'same-origin', headers: { Accept: 'application/json' } });
  let body = null;
  try {
    body = await r.json();
  } catch {
    /* not JSON */
  }
  if (!r.ok) throw new ApiError(r.status, (body && body.messages) || r.statusText);
  return body;
}

// GET that answers null for 404 (a name the index does not know).
export async function find(path) {
  try {
    return await get(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export async function signedIn() {
  const r = await fetch('/ui/session', { credentials: 'same-origin' });
  return r.status === 204;
}

export async function signIn(key) {
  const r = await fetch('/ui/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'text/plain' },
    body: key,
  });
  return r.status === 204;
}

export async function signOut() {
  await fetch('/ui/signout', { method: 'POST', credentials: 'same-origin' });
}

export const enc = encodeURIComponent;
