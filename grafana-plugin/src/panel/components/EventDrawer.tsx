// The details drawer: one change rendered generically with its chain (and, for an alert, its
// suspects), or the list of a cluster's changes.
import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';
import { Badge, Button, Drawer, LinkButton, Stack, Text, useStyles2 } from '@grafana/ui';
import { httpLink } from '../../shared/http-link';
import { TEST_IDS } from '../../test-ids';
import { recordOf } from '../events-from-frames';
import type { TimelineEvent } from '../types';
import { ChangeDrilldown } from './ChangeDrilldown';
import { formatTime, humanize, timeAgo } from './describe';
import { EventDetails } from './EventDetails';
import { statusBadgeColor } from './status-badge';

interface Props {
  events: TimelineEvent[];
  timeZone: TimeZone;
  onClose: () => void;
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({ marginTop: theme.spacing(3) }),
  list: css({ listStyle: 'none', padding: 0, margin: 0 }),
  listItem: css({
    width: '100%',
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'baseline',
    textAlign: 'left',
    padding: theme.spacing(0.75, 1),
    background: 'none',
    border: 'none',
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    color: theme.colors.text.primary,
    cursor: 'pointer',
    '&:hover': { background: theme.colors.action.hover },
    '&:focus-visible': { outline: `2px solid ${theme.colors.primary.main}` },
  }),
  grow: css({ flex: 1, minWidth: 0 }),
  muted: css({ color: theme.colors.text.secondary, whiteSpace: 'nowrap' }),
});

function Details({ event, timeZone }: { event: TimelineEvent; timeZone: TimeZone }) {
  const styles = useStyles2(getStyles);
  const source = httpLink(event.url);
  return (
    <>
      <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
        <Badge text={humanize(event.kind)} color="blue" />
        {event.status && <Badge text={humanize(event.status)} color={statusBadgeColor(event.status)} />}
        <span className={styles.muted} title={formatTime(event.time, timeZone)}>
          {timeAgo(event.time, timeZone)} · {formatTime(event.time, timeZone)}
        </span>
        {source && (
          <LinkButton
            data-testid={TEST_IDS.drawer.sourceLink}
            href={source}
            target="_blank"
            rel="noopener noreferrer"
            icon="external-link-alt"
            variant="secondary"
            size="sm"
          >
            Open in source
          </LinkButton>
        )}
      </Stack>
      {/* What the on-call engineer came for first: the suspects of an alert, the chain of a change. */}
      <ChangeDrilldown event={event} timeZone={timeZone} />
      <section className={styles.section} aria-label="Details">
        <Text element="h4">Details</Text>
        <EventDetails record={recordOf(event)} timeZone={timeZone} />
      </section>
    </>
  );
}

export function EventDrawer({ events, timeZone, onClose }: Props) {
  const styles = useStyles2(getStyles);
  const [chosen, setChosen] = useState<TimelineEvent | null>(events.length === 1 ? events[0]! : null);
  const sorted = [...events].sort((a, b) => b.time - a.time);
  return (
    <Drawer
      title={chosen ? chosen.title : `${events.length} changes`}
      subtitle={chosen ? chosen.lane : `${events[0]?.lane ?? ''}, newest first`}
      size="md"
      onClose={onClose}
    >
      <div data-testid={TEST_IDS.drawer.body}>
        {chosen ? (
          <>
            {events.length > 1 && (
              <Button variant="secondary" fill="text" icon="arrow-left" size="sm" onClick={() => setChosen(null)}>
                All {events.length} changes
              </Button>
            )}
            <Details event={chosen} timeZone={timeZone} />
          </>
        ) : (
          <ul className={styles.list} data-testid={TEST_IDS.drawer.clusterList}>
            {sorted.map((e) => (
              <li key={e.index}>
                <button type="button" className={styles.listItem} onClick={() => setChosen(e)}>
                  <Badge text={humanize(e.kind)} color="blue" />
                  <span className={styles.grow}>{e.title}</span>
                  {e.status && <Badge text={humanize(e.status)} color={statusBadgeColor(e.status)} />}
                  <span className={styles.muted}>{formatTime(e.time, timeZone)}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Drawer>
  );
}
