// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// jsdom has no layout observers; @grafana/ui's Drawer uses them. Nothing to measure in jsdom.
class NoLayoutObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
global.ResizeObserver = NoLayoutObserver;
global.IntersectionObserver = NoLayoutObserver;
