// The ranked suspects of an incident as the collector answers them: each with its score, its
// reasons in words and a link to its source, and its chain one click away. Or, when nothing
// scores above the threshold, an explicit "no change correlated" with what to try next.
import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';
import { Badge, Button, LinkButton, Stack, Text, Tooltip, useStyles2, useTheme2 } from '@grafana/ui';
import type { CollectorApi } from '../../datasource/api/collector-api';
import type { Suspect, SuspectsAnswer } from '../../datasource/types/api';
import { formatTime, humanize } from '../../panel/components/describe';
import { statusBadgeColor } from '../../panel/components/status-badge';
import { TEST_IDS } from '../../test-ids';
import { httpLink } from '../http-link';
import { kindColor } from '../kind-colors';
import { ChainView } from './ChainView';

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  }),
  item: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.primary,
    padding: theme.spacing(1.5),
  }),
  head: css({ display: 'grid', gridTemplateColumns: 'auto 1fr', gap: theme.spacing(1.5), alignItems: 'start' }),
  score: css({
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    width: 56,
    fontSize: theme.typography.h3.fontSize,
    fontWeight: theme.typography.fontWeightBold,
    lineHeight: 1.1,
  }),
  meter: css({
    width: '100%',
    height: 4,
    marginTop: theme.spacing(0.5),
    borderRadius: 2,
    background: theme.colors.background.canvas,
    overflow: 'hidden',
  }),
  meterFill: css({ height: '100%', background: theme.colors.text.primary }),
  rank: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    fontWeight: 'normal',
  }),
  title: css({ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: theme.spacing(0.5, 1) }),
  dot: css({ display: 'inline-block', width: 10, height: 10, borderRadius: '50%' }),
  kind: css({
    color: theme.colors.text.secondary,
    textTransform: 'uppercase',
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  reasons: css({ margin: theme.spacing(0.5, 0, 0, 2), padding: 0, color: theme.colors.text.primary }),
  meta: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  chain: css({
    marginTop: theme.spacing(1.5),
    paddingLeft: theme.spacing(1),
    borderLeft: `2px solid ${theme.colors.border.weak}`,
  }),
  noChange: css({
    border: `1px dashed ${theme.colors.border.medium}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(2),
    background: theme.colors.background.secondary,
  }),
});

const FACTOR_WORDS: Record<string, string> = {
  time: 'closeness in time',
  kind: 'kind of change',
  scope: 'same place',
  status: 'status',
  chain: 'shipped by a suspect rollout',
};

function SuspectItem({
  suspect,
  rank,
  api,
  timeZone,
  chainOpen,
}: {
  suspect: Suspect;
  rank: number;
  api: CollectorApi;
  timeZone: TimeZone;
  chainOpen: boolean;
}) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const [open, setOpen] = useState(chainOpen);
  const { event, score } = suspect;
  const source = httpLink(event.url);
  const factors = Object.entries(suspect.factors)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([name, value]) => `${FACTOR_WORDS[name] ?? name} ×${Number(value.toFixed(2))}`)
    .join(', ');
  const rounded = Math.round(score);
  return (
    <li
      className={styles.item}
      data-testid={TEST_IDS.suspects.item}
      data-kind={event.kind}
      aria-label={`Suspect ${rank}: ${event.title}, score ${rounded}`}
    >
      <div className={styles.head}>
        <Tooltip content={`Score ${score.toFixed(1)} of 100: ${factors}`}>
          <div
            className={styles.score}
            data-testid={TEST_IDS.suspects.score}
            tabIndex={0}
            aria-label={`score ${rounded} of 100`}
          >
            <span className={styles.rank}>#{rank}</span>
            {rounded}
            <span className={styles.meter} aria-hidden>
              <span className={styles.meterFill} style={{ display: 'block', width: `${Math.min(100, score)}%` }} />
            </span>
          </div>
        </Tooltip>
        <div>
          <div className={styles.title}>
            <span className={styles.dot} style={{ background: kindColor(theme, event.kind) }} aria-hidden />
            <span className={styles.kind}>{humanize(event.kind)}</span>
            <Text weight="medium">{event.title}</Text>
            {event.status && <Badge text={humanize(event.status)} color={statusBadgeColor(event.status)} />}
          </div>
          <div className={styles.meta}>
            {formatTime(Date.parse(event.timestamp), timeZone)}
            {[event.project, event.service, event.environment].filter(Boolean).map((v) => ` · ${v}`)}
            {event.author ? ` · by ${event.author}` : ''}
          </div>
          <ul className={styles.reasons} data-testid={TEST_IDS.suspects.reasons} aria-label="Why it is a suspect">
            {suspect.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
          <Stack direction="row" gap={1} wrap="wrap">
            <Button
              size="sm"
              variant="secondary"
              icon={open ? 'angle-down' : 'angle-right'}
              aria-expanded={open}
              data-testid={TEST_IDS.suspects.chainToggle}
              onClick={() => setOpen(!open)}
            >
              {open ? 'Hide chain' : 'Show chain'}
            </Button>
            {source && (
              <LinkButton
                size="sm"
                variant="secondary"
                fill="outline"
                icon="external-link-alt"
                href={source}
                target="_blank"
                rel="noopener noreferrer"
              >
                Open in source
              </LinkButton>
            )}
          </Stack>
        </div>
      </div>
      {open && (
        <div className={styles.chain}>
          <ChainView api={api} eventId={event.id} timeZone={timeZone} />
        </div>
      )}
    </li>
  );
}

interface Props {
  answer: SuspectsAnswer;
  api: CollectorApi;
  timeZone: TimeZone;
  /** Open the first suspect's chain right away (the page does; the drawer keeps it compact). */
  openFirstChain?: boolean;
  /** At most this many (the drawer shows a few, the page all). */
  limit?: number;
  /** What to offer when nothing is correlated: e.g. a wider window. */
  noChangeActions?: React.ReactNode;
}

export function SuspectList({ answer, api, timeZone, openFirstChain = false, limit, noChangeActions }: Props) {
  const styles = useStyles2(getStyles);
  if (answer.verdict === 'no_change_correlated' || answer.suspects.length === 0) {
    return (
      <div className={styles.noChange} data-testid={TEST_IDS.suspects.noChange} role="status">
        <Text element="h4">No change correlated</Text>
        <Text element="p">{answer.message}</Text>
        <Text element="p" color="secondary">
          Nothing recorded scores above {answer.threshold} between{' '}
          {formatTime(Date.parse(answer.window.from), timeZone)} and{' '}
          {formatTime(Date.parse(answer.window.to), timeZone)}. Look further back, drop the environment or the project,
          or check that your connectors send the service and environment this alert carries.
        </Text>
        {noChangeActions}
      </div>
    );
  }
  const shown = limit ? answer.suspects.slice(0, limit) : answer.suspects;
  return (
    <ol className={styles.list} data-testid={TEST_IDS.suspects.list} aria-label="Suspects, most likely first">
      {shown.map((suspect, i) => (
        <SuspectItem
          key={suspect.event.id}
          suspect={suspect}
          rank={i + 1}
          api={api}
          timeZone={timeZone}
          chainOpen={openFirstChain && i === 0}
        />
      ))}
    </ol>
  );
}
