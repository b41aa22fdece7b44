// Failures of the first connection to PostgreSQL, in words that name the setting to fix: the
// driver says `getaddrinfo ENOTFOUND db`; a person needs "DATABASE_URL names host db, which …".

/** Socket and PostgreSQL error codes, for a database URL that does not lead to a database. */
const DATABASE_PROBLEMS: Record<string, (where: string) => string> = {
  ENOTFOUND: (where) => `the database host of ${where} cannot be found (DNS)`,
  EAI_AGAIN: (where) => `the database host of ${where} cannot be found (DNS did not answer)`,
  ECONNREFUSED: (where) => `nothing accepts connections at ${where}: is PostgreSQL running there?`,
  ETIMEDOUT: (where) => `${where} does not answer (timed out): a firewall, or the wrong address`,
  EHOSTUNREACH: (where) => `${where} cannot be reached from this machine`,
  '28P01': (where) => `PostgreSQL refused the user name or password of ${where}`,
  '28000': (where) =>
    `PostgreSQL refused the connection to ${where} (pg_hba.conf does not allow it)`,
  '3D000': (where) =>
    `the database named in ${where} does not exist: create it (createdb) or fix the name`,
};

/** Where the URL came from, for the message: the setting the user wrote. */
export interface DatabaseSetting {
  url: string;
  /** `DATABASE_URL` or `store.url`. */
  source: string;
}

function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    return 'the database URL';
  }
}

/** A sentence naming the setting and what to check; undefined for errors that are not about it. */
export function explainDatabaseError(error: unknown, setting: DatabaseSetting): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const explain = typeof code === 'string' ? DATABASE_PROBLEMS[code] : undefined;
  if (!explain) return undefined;
  const where = `${setting.source} (${hostOf(setting.url)})`;
  return `cannot use the database: ${explain(where)}. Fix ${setting.source}, or leave it unset to use the embedded database.`;
}
