import { useEffect, useState } from "react";
import { type Route, parseRoute } from "./lib/route";
import { LibraryPage } from "./pages/Library";
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

export function App() {
  const route = useRoute();
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
      </header>
      <main>
        {route.page === "library" && <LibraryPage />}
        {route.page === "practice" && (
          <PracticePage
            key={`${route.referenceId}-${route.startS}-${route.endS}`}
            referenceId={route.referenceId}
            startS={route.startS}
            endS={route.endS}
          />
        )}
        {route.page === "review" && <ReviewPage sessionId={route.sessionId} />}
        {route.page === "progress" && <ProgressPage referenceId={route.referenceId} />}
      </main>
    </div>
  );
}
