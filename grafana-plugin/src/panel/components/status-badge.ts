// Badge colours for status-like values of any source (status, state, conclusion, severity…).
import type { BadgeColor } from '@grafana/ui';

const BAD = /^(failed|failure|error|errored|critical|crit|fatal|high|timed_out|alerting|firing|broken)$/i;
const GOOD = /^(succeeded|success|successful|ok|passed|pass|completed|healthy|resolved|normal|done|merged|low)$/i;
const BUSY = /^(started|in_progress|running|pending|queued|waiting|progressing|requested|info)$/i;
const MEH = /^(cancelled|canceled|skipped|stale|neutral|warning|warn|medium|action_required|unknown)$/i;

export function statusBadgeColor(value: string): BadgeColor {
  if (BAD.test(value)) {
    return 'red';
  }
  if (GOOD.test(value)) {
    return 'green';
  }
  if (BUSY.test(value)) {
    return 'blue';
  }
  if (MEH.test(value)) {
    return 'orange';
  }
  return 'darkgrey';
}
