import { useEffect, useState } from 'react';

/**
 * Hash routing (`#/counter`): deep links and the return after sign-in work without the
 * server knowing the UI's paths, and a reload never reaches the API by mistake.
 */
export function useRoute(): string {
  // the page's path; its query (`#/results?id=…`) is the page's own business
  const read = () => window.location.hash.replace(/^#/, '').split('?')[0] || '/';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
