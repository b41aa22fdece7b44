// A change's chain drawn as a chain: the linked changes oldest first (commit → pull/merge
// request → pipeline → image → rollout), each joint labelled with the key and value that joined
// the two changes, each change linking to its source. Loads GET /api/v1/events/{id}/chain.
import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';
import { Badge, LoadingPlaceholder, Text, TextLink, useStyles2, useTheme2 } from '@grafana/ui';
import type { CollectorApi } from '../../datasource/api/collector-api';
import type { ChainAnswer, ChainLink, ChangeEvent } from '../../datasource/types/api';
import { formatTime, humanize } from '../../panel/components/describe';
import { statusBadgeColor } from '../../panel/components/status-badge';
import { TEST_IDS } from '../../test-ids';
import { httpLink } from '../http-link';
import { kindColor } from '../kind-colors';
import { useCollector } from '../use-collector';
import { LoadFailed } from './LoadFailed';

/** How a person names each correlation key. */
export const KEY_LABELS: Record<string, string> = {
  commit: 'commit',
  pullRequest: 'pull request',
  pipeline: 'pipeline',
  image: 'image',
  digest: 'digest',
  tag: 'tag',
};

/** A SHA shortened the way Git shows it; numbers get a `#`; images and tags stay whole. */
export function linkValue(link: Pick<ChainLink, 'key' | 'value'>): string {
  if (link.key === 'commit') {
    return link.value.slice(0, 7);
  }
  if (link.key === 'digest') {
    return link.value.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/i, '$1…');
  }
  if ((link.key === 'pullRequest' || link.key === 'pipeline') && /^\d+$/.test(link.value)) {
    return `#${link.value}`;
  }
  return link.value;
}

export const linkLabel = (link: Pick<ChainLink, 'key' | 'value'>): string =>
  `${KEY_LABELS[link.key] ?? humanize(link.key)} ${linkValue(link)}`;

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ listStyle: 'none', margin: 0, padding: 0 }),
  node: css({
    position: 'relative',
    display: 'grid',
    gridTemplateColumns: '14px 1fr',
    columnGap: theme.spacing(1),
    padding: theme.spacing(1),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
  }),
  root: css({
    borderColor: theme.colors.primary.border,
    boxShadow: `0 0 0 1px ${theme.colors.primary.border}`,
  }),
  dot: css({
    width: 12,
    height: 12,
    marginTop: 3,
    borderRadius: '50%',
    border: `2px solid ${theme.colors.background.primary}`,
  }),
  title: css({ display: 'flex', flexWrap: 'wrap', alignItems: 'baseline', gap: theme.spacing(0.5, 1) }),
  kind: css({
    color: theme.colors.text.secondary,
    textTransform: 'uppercase',
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  meta: css({
    gridColumn: 2,
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5, 1.5),
  }),
  joint: css({
    display: 'grid',
    gridTemplateColumns: '14px 1fr',
    columnGap: theme.spacing(1),
    padding: theme.spacing(0, 1),
    minHeight: theme.spacing(3),
  }),
  line: css({
    justifySelf: 'center',
    width: 2,
    background: theme.colors.border.strong,
    position: 'relative',
    '&::after': {
      content: '""',
      position: 'absolute',
      bottom: -1,
      left: -4,
      borderLeft: '5px solid transparent',
      borderRight: '5px solid transparent',
      borderTop: `6px solid ${theme.colors.border.strong}`,
    },
  }),
  labels: css({
    display: 'flex',
    flexDirection: 'column',
    justifyContent: 'center',
    padding: theme.spacing(0.5, 0),
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
  }),
  key: css({ fontWeight: theme.typography.fontWeightMedium, color: theme.colors.text.primary }),
});

interface JointProps {
  links: ChainLink[];
  previous: ChangeEvent;
  byId: Map<string, ChangeEvent>;
}

/** The joint above a change: the keys that joined it to earlier changes. */
function Joint({ links, previous, byId }: JointProps) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.joint} data-testid={TEST_IDS.chain.link} aria-hidden={links.length === 0}>
      <span className={styles.line} />
      <span className={styles.labels}>
        {links.map((link) => (
          <span
            key={`${link.from}-${link.key}-${link.value}`}
            title={`${KEY_LABELS[link.key] ?? link.key}: ${link.value}`}
          >
            joined by <span className={styles.key}>{linkLabel(link)}</span>
            {link.from !== previous.id && byId.get(link.from) ? ` with “${byId.get(link.from)!.title}”` : ''}
          </span>
        ))}
      </span>
    </div>
  );
}

function Node({ event, isRoot, timeZone }: { event: ChangeEvent; isRoot: boolean; timeZone: TimeZone }) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const place = [event.project, event.service, event.environment].filter(Boolean).join(' · ');
  const source = httpLink(event.url);
  return (
    <div className={cx(styles.node, isRoot && styles.root)}>
      <span className={styles.dot} style={{ background: kindColor(theme, event.kind) }} aria-hidden />
      <div className={styles.title}>
        <span className={styles.kind}>{humanize(event.kind)}</span>
        {source ? (
          <TextLink href={source} external>
            {event.title}
          </TextLink>
        ) : (
          <span>{event.title}</span>
        )}
        {event.status && <Badge text={humanize(event.status)} color={statusBadgeColor(event.status)} />}
        {isRoot && <Badge text="this change" color="blue" />}
      </div>
      <div className={styles.meta}>
        <span>{formatTime(Date.parse(event.timestamp), timeZone)}</span>
        {place && <span>{place}</span>}
        {event.author && <span>by {event.author}</span>}
      </div>
    </div>
  );
}

interface ChainDrawingProps {
  chain: ChainAnswer;
  timeZone: TimeZone;
}

/** The chain itself, from a collector answer. */
export function ChainDrawing({ chain, timeZone }: ChainDrawingProps) {
  const styles = useStyles2(getStyles);
  const byId = new Map(chain.events.map((e) => [e.id, e]));
  if (chain.events.length <= 1) {
    return (
      <div data-testid={TEST_IDS.chain.alone}>
        <Text color="secondary" element="p">
          No other change shares a commit, pull request, pipeline, image or tag with this one within{' '}
          {formatTime(Date.parse(chain.horizon.from), timeZone)} and{' '}
          {formatTime(Date.parse(chain.horizon.to), timeZone)}. Changes link up when their connectors send refs (commit,
          image, pipeline…).
        </Text>
      </div>
    );
  }
  return (
    <div data-testid={TEST_IDS.chain.body}>
      <ol className={styles.list} aria-label={`Chain of ${chain.events.length} changes, oldest first`}>
        {chain.events.map((event, i) => {
          const incoming = chain.links.filter((l) => l.to === event.id && byId.has(l.from));
          return (
            <li
              key={event.id}
              data-testid={TEST_IDS.chain.node}
              data-kind={event.kind}
              data-root={event.id === chain.root.id ? 'true' : undefined}
            >
              {i > 0 && <Joint links={incoming} previous={chain.events[i - 1]!} byId={byId} />}
              <Node event={event} isRoot={event.id === chain.root.id} timeZone={timeZone} />
            </li>
          );
        })}
      </ol>
      {chain.truncated && (
        <Text color="warning" element="p">
          Only the first {chain.maxEvents} linked changes are shown: this chain is longer.
        </Text>
      )}
    </div>
  );
}

interface ChainViewProps {
  api: CollectorApi;
  eventId: string;
  timeZone: TimeZone;
}

/** Loads the chain of one change from the collector and draws it. */
export function ChainView({ api, eventId, timeZone }: ChainViewProps) {
  const chain = useCollector(() => api.chain(eventId), eventId);
  if (chain.state === 'loading') {
    return (
      <div data-testid={TEST_IDS.chain.loading}>
        <LoadingPlaceholder text="Following the chain…" />
      </div>
    );
  }
  if (chain.state === 'error') {
    return (
      <div data-testid={TEST_IDS.chain.error}>
        <LoadFailed title="Could not load the chain" error={chain.error} onRetry={chain.retry} />
      </div>
    );
  }
  return <ChainDrawing chain={chain.value} timeZone={timeZone} />;
}
