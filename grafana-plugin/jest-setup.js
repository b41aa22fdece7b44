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

// jsdom computes no pseudo-element styles and reports every call that asks for one as a
// "Not implemented" error with a stack trace. @grafana/ui's Drawer (rc-drawer) asks for
// `::-webkit-scrollbar` to measure the scrollbar it hides; jsdom lays nothing out, so the
// element's own style is as good an answer, and the log stays for real problems.
const elementStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (element) => elementStyle(element);

// jsdom has no canvas. @grafana/ui's Combobox sizes itself and its value pills with the 2D
// context's measureText; jsdom lays nothing out, so a width from the text's length will do.
HTMLCanvasElement.prototype.getContext = function getContext(kind) {
  if (kind !== '2d') {
    return null;
  }
  return {
    font: '',
    measureText: (text) => ({
      width: String(text).length * 7,
      actualBoundingBoxAscent: 10,
      actualBoundingBoxDescent: 3,
    }),
  };
};
