import { httpLink } from './http-link';

describe('httpLink: which event text may become a link', () => {
  it.each([
    'https://github.com/acme/api/commit/9fceb02',
    'http://ci.example.com:8080/job/42?x=1#log',
    'HTTPS://GRAFANA.EXAMPLE.COM/d/abc',
    'https://例え.jp/パス',
  ])('an absolute http(s) URL is a link: %s', (url) => {
    expect(httpLink(url)).toBe(url);
  });

  it.each([
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['javascript: in capitals', 'JavaScript:alert(1)'],
    ['javascript: with a tab inside', 'java\tscript:alert(1)'],
    ['javascript: after spaces', '  javascript:alert(1)'],
    ['data:', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
    ['vbscript:', 'vbscript:msgbox("x")'],
    ['a relative path', '/admin/users'],
    ['a relative path without slash', 'admin/users'],
    ['a protocol-relative URL', '//evil.example.com/login'],
    ['a protocol-relative URL with backslashes', '\\\\evil.example.com'],
    ['http without slashes', 'https:evil.example.com'],
    ['http with a line break that a browser would drop', 'https://ok.example.com/\njavascript:alert(1)'],
    ['http after a leading space', ' https://ok.example.com'],
    ['http with a control character', 'https://ok.example.com/\u0000'],
    ['a scheme only', 'https://'],
    ['another scheme', 'ftp://files.example.com/x'],
    ['a file URL', 'file:///etc/passwd'],
    ['empty text', ''],
  ])('%s is text, not a link', (_name, text) => {
    expect(httpLink(text)).toBeUndefined();
  });

  it.each([null, undefined, 42, { href: 'https://x.example.com' }, ['https://x.example.com']])(
    'a value that is not text is no link: %p',
    (value) => {
      expect(httpLink(value)).toBeUndefined();
    }
  );
});
