// Renders any change event generically from its JSON: links for URLs, relative and absolute
// times, people as users, status-like values as badges, nested objects collapsible. No code
// knows a connector: the rules go by value shape and common key names only.
import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';
import { Badge, Icon, TagList, TextLink, useStyles2 } from '@grafana/ui';
import { httpLink } from '../../shared/http-link';
import { TEST_IDS } from '../../test-ids';
import { formatTime, timeAgo } from './describe';
import { statusBadgeColor } from './status-badge';

const PEOPLE =
  /^(author|user|username|login|actor|owner|assignee|assignees|creator|committer|sender|reviewer|reviewers|approver|approvers|requester|triggered_?by|.*By)$/i;
const BADGES = /^(status|state|severity|conclusion|result|level|priority|outcome|phase|health)$/i;
const TAGS = /^(tags|labels|topics)$/i;
const TIME_KEYS = /^(time|timeEnd|timestamp|endTimestamp|updatedAt|receivedAt|.*_at|.*At|date|started|finished)$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(110px, max-content) 1fr',
    gap: theme.spacing(0.5, 2),
    alignItems: 'baseline',
  }),
  key: css({
    color: theme.colors.text.secondary,
    overflowWrap: 'anywhere',
  }),
  value: css({
    overflowWrap: 'anywhere',
    minWidth: 0,
  }),
  nested: css({
    gridColumn: '1 / -1',
    borderLeft: `2px solid ${theme.colors.border.weak}`,
    paddingLeft: theme.spacing(1.5),
    marginLeft: theme.spacing(0.5),
  }),
  toggle: css({
    gridColumn: '1 / -1',
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    background: 'none',
    border: 'none',
    padding: 0,
    color: theme.colors.text.secondary,
    cursor: 'pointer',
    '&:focus-visible': { outline: `2px solid ${theme.colors.primary.main}` },
  }),
  muted: css({ color: theme.colors.text.secondary }),
  tags: css({ justifyContent: 'flex-start' }),
  person: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.5) }),
});

interface ValueProps {
  name: string;
  value: Json;
  timeZone: TimeZone;
}

function TimeValue({ ms, timeZone }: { ms: number; timeZone: TimeZone }) {
  const styles = useStyles2(getStyles);
  return (
    <span title={new Date(ms).toISOString()}>
      {timeAgo(ms, timeZone)} <span className={styles.muted}>({formatTime(ms, timeZone)})</span>
    </span>
  );
}

function Person({ name }: { name: string }) {
  const styles = useStyles2(getStyles);
  return (
    <span className={styles.person}>
      <Icon name="user" size="sm" />
      {name}
    </span>
  );
}

/** One scalar (or a list of scalars), rendered by the rules above. */
function ScalarValue({ name, value, timeZone }: ValueProps): React.ReactElement {
  const styles = useStyles2(getStyles);
  if (value === null || value === undefined || value === '') {
    return <span className={styles.muted}>—</span>;
  }
  if (Array.isArray(value)) {
    if (TAGS.test(name)) {
      return <TagList className={styles.tags} tags={value.map(String)} />;
    }
    return (
      <span>
        {value.map((v, i) => (
          <React.Fragment key={i}>
            {i > 0 && ', '}
            <ScalarValue name={name} value={v} timeZone={timeZone} />
          </React.Fragment>
        ))}
      </span>
    );
  }
  if (typeof value === 'number' && TIME_KEYS.test(name) && value > 1e11) {
    return <TimeValue ms={value} timeZone={timeZone} />;
  }
  if (typeof value === 'string') {
    if (httpLink(value)) {
      return (
        <TextLink href={value} external>
          {value}
        </TextLink>
      );
    }
    if (ISO_TIME.test(value)) {
      return <TimeValue ms={Date.parse(value)} timeZone={timeZone} />;
    }
    if (BADGES.test(name)) {
      return <Badge text={value.replace(/_/g, ' ')} color={statusBadgeColor(value)} />;
    }
    if (PEOPLE.test(name)) {
      return <Person name={value} />;
    }
    if (TAGS.test(name) && value.includes(',')) {
      return <TagList className={styles.tags} tags={value.split(',')} />;
    }
  }
  return <span>{String(value)}</span>;
}

const isNested = (v: Json): boolean =>
  isObject(v) ? Object.keys(v).length > 0 : Array.isArray(v) && v.some((x) => isObject(x) || Array.isArray(x));

function NestedEntry({ name, value, timeZone, depth }: ValueProps & { depth: number }) {
  const styles = useStyles2(getStyles);
  const [open, setOpen] = useState(depth < 1);
  const size = Array.isArray(value) ? value.length : Object.keys(value as object).length;
  return (
    <>
      <button type="button" className={styles.toggle} aria-expanded={open} onClick={() => setOpen(!open)}>
        <Icon name={open ? 'angle-down' : 'angle-right'} />
        {name}
        <span className={styles.muted}>{Array.isArray(value) ? `[${size}]` : `{${size}}`}</span>
      </button>
      {open && (
        <div className={styles.nested}>
          <JsonObject value={value as Record<string, Json> | Json[]} timeZone={timeZone} depth={depth + 1} />
        </div>
      )}
    </>
  );
}

function JsonObject({
  value,
  timeZone,
  depth,
}: {
  value: Record<string, Json> | Json[];
  timeZone: TimeZone;
  depth: number;
}) {
  const styles = useStyles2(getStyles);
  const entries: Array<[string, Json]> = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  return (
    <div className={styles.table}>
      {entries.map(([key, v]) =>
        isNested(v) ? (
          <NestedEntry key={key} name={key} value={v} timeZone={timeZone} depth={depth} />
        ) : (
          <React.Fragment key={key}>
            <div className={styles.key}>{key}</div>
            <div className={styles.value}>
              <ScalarValue name={key} value={isObject(v) ? '' : v} timeZone={timeZone} />
            </div>
          </React.Fragment>
        )
      )}
    </div>
  );
}

interface Props {
  record: Record<string, Json>;
  timeZone: TimeZone;
}

export function EventDetails({ record, timeZone }: Props) {
  return (
    <div data-testid={TEST_IDS.drawer.details}>
      <JsonObject value={record} timeZone={timeZone} depth={0} />
    </div>
  );
}
