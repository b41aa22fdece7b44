// The one rule for making a link of text that came with a change event (its url, a URL in its
// data, an alert's generatorURL): only an absolute http(s) URL becomes an href. Anything else —
// javascript:, data:, vbscript:, a relative or protocol-relative path — is shown as text, so that
// whoever can send an event cannot run script in Grafana or point a link inside Grafana.

/** Letters a browser drops or trims when it reads an href (tabs, line breaks, controls, spaces). */
const UNREAD = /[\s\p{Cc}]/u;

/** `value` when it is an absolute http or https URL, exactly as it may be used as an href. */
export function httpLink(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^https?:\/\//i.test(value) || UNREAD.test(value)) {
    return undefined;
  }
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}
