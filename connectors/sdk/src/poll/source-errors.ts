// The errors a connector's source client throws that the poll scheduler acts on: wait out a rate
// limit, give up on a refused credential (the supervisor restarts with backoff), report a
// target that is gone. Anything else fails only the target it came from.

/** The budget is spent (or a secondary limit hit) for longer than waiting inline is worth. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  constructor(
    message: string,
    readonly resumeAt: Date,
  ) {
    super(message);
  }
}

/** The credential is missing, wrong or expired: nothing will work until the config changes. */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
}

/** A target or resource answered 404 or 410 (deleted, renamed away, or no access). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}
