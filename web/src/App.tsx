import { useEffect, useState } from "react";
import { type Account, ApiError, SIGNED_OUT_EVENT, api } from "./api/client";
import { type Route, parseRoute } from "./lib/route";
import { LibraryPage } from "./pages/Library";
import { LoginPage } from "./pages/Login";
import { PracticePage } from "./pages/Practice";
import { ProgressPage } from "./pages/Progress";
import { ReviewPage } from "./pages/Review";

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

/** Who is signed in: undefined while asking, null when this shared server needs a sign-in. */
function useAccount(): [Account | null | undefined, (account: Account | null) => void] {
  const [account, setAccount] = useState<Account | null | undefined>(undefined);
  useEffect(() => {
    api
      .me()
      .then(setAccount)
      .catch((e: unknown) => setAccount(e instanceof ApiError && e.status === 401 ? null : undefined));
    // A sign-in that ends while the app is open (expired, signed out in another tab).
    const onSignedOut = () => setAccount(null);
    window.addEventListener(SIGNED_OUT_EVENT, onSignedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, onSignedOut);
  }, []);
  return [account, setAccount];
}

export function App() {
  const route = useRoute();
  const [account, setAccount] = useAccount();

  async function onSignOut() {
    await api.logout().catch(() => undefined);
    setAccount(null);
  }

  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="#/library">
          <span aria-hidden="true">●</span> dancecoach
        </a>
        <nav aria-label="Main">
          <a href="#/library" aria-current={route.page === "library" ? "page" : undefined}>
            Library
          </a>
        </nav>
        {account?.accounts && (
          <div className="account">
            <span>
              {account.username} <span className="muted">({account.role})</span>
            </span>
            <button type="button" className="link" onClick={() => void onSignOut()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main>
        {account === null && <LoginPage onSignedIn={setAccount} />}
        {account && <Page route={route} account={account} />}
      </main>
    </div>
  );
}

function Page({ route, account }: { route: Route; account: Account }) {
  return (
    <>
      {route.page === "library" && <LibraryPage canManage={account.role === "teacher"} />}
      {route.page === "practice" && (
        <PracticePage
          key={`${route.referenceId}-${route.startS}-${route.endS}-${route.breakdown?.stage ?? ""}`}
          referenceId={route.referenceId}
          startS={route.startS}
          endS={route.endS}
          breakdown={route.breakdown ?? null}
        />
      )}
      {route.page === "review" && <ReviewPage sessionId={route.sessionId} />}
      {route.page === "progress" && <ProgressPage referenceId={route.referenceId} />}
    </>
  );
}
