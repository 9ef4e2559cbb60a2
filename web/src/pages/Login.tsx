import { useState } from "react";
import { type Account, ApiError, api } from "../api/client";

/** Sign-in of a shared server (a server on one's own machine has no accounts and never shows this). */
export function LoginPage({ onSignedIn }: { onSignedIn: (account: Account) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.login(username.trim(), password));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "The server could not be reached.");
      setPassword("");
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="login" aria-labelledby="login-title">
      <h1 id="login-title">Sign in</h1>
      <p className="muted">This dancecoach server is shared: sign in to see your own practice.</p>
      <form className="card login-form" onSubmit={onSubmit}>
        <label>
          Username
          <input
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="username"
            required
            autoFocus
          />
        </label>
        <label>
          Password
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
            required
          />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p className="alert" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
