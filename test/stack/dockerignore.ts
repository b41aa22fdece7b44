// .dockerignore as Docker applies it to the build context (moby/patternmatcher): patterns in order,
// the last one that matches a path or one of its parent folders decides, `!` re-includes, `**`
// spans folders, `*` and `?` stay within one path segment.

interface Pattern {
  exclude: boolean;
  text: string;
  regex: RegExp;
}

function toRegex(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      if (pattern[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

export class DockerIgnore {
  private readonly patterns: Pattern[];

  constructor(text: string) {
    this.patterns = text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => {
        const exclude = !line.startsWith('!');
        const body = (exclude ? line : line.slice(1))
          .trim()
          .replace(/^\/+/, '')
          .replace(/\/+$/, '');
        return { exclude, text: body, regex: toRegex(body) };
      });
  }

  /** Whether a path (relative to the context, `/`-separated) stays out of the build context. */
  excludes(path: string): boolean {
    const parts = path.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const p of this.patterns) {
      if (candidates.some((c) => p.regex.test(c))) excluded = p.exclude;
    }
    return excluded;
  }

  /** Whether an excluded folder may still hold re-included paths (so it must be walked). */
  mayReinclude(dir: string): boolean {
    return this.patterns.some(
      (p) => !p.exclude && (p.text.startsWith(`${dir}/`) || p.text.includes('*')),
    );
  }
}
