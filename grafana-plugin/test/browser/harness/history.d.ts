// history 4 (Grafana's own, installed with @grafana/runtime) ships no types: the harness only
// hands its browser history to Grafana's HistoryWrapper, so it stays opaque here.
declare module 'history' {
  export function createBrowserHistory(): unknown;
}
