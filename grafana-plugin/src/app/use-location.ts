// The current URL as React state, from Grafana's location service (the app does not bundle its
// own router: Grafana's history is the one every link and the back button use).
import { useEffect, useMemo, useState } from 'react';
import { locationService } from '@grafana/runtime';

export function useLocation(): { pathname: string; search: URLSearchParams } {
  const [location, setLocation] = useState(() => locationService.getLocation());
  useEffect(() => {
    const subscription = locationService.getLocationObservable().subscribe(setLocation);
    return () => subscription.unsubscribe();
  }, []);
  const search = useMemo(() => new URLSearchParams(location.search), [location.search]);
  return { pathname: location.pathname, search };
}
