import { useEffect, useState } from "react";
import { type Protocol, api } from "./client";

// The protocol never changes while the page is open: one request for every component.
let loading: Promise<Protocol> | null = null;

/** GET /api/protocol once per page (null until it has loaded, or if it failed). */
export function useProtocol(): Protocol | null {
  const [protocol, setProtocol] = useState<Protocol | null>(null);
  useEffect(() => {
    let live = true;
    loading ??= api.protocol();
    loading
      .then((p) => {
        if (live) setProtocol(p);
      })
      .catch(() => {
        loading = null; // try again next time; the page still works with readable keys
      });
    return () => {
      live = false;
    };
  }, []);
  return protocol;
}
