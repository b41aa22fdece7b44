// The drilldown part of the details drawer: for an alert, the changes that may explain it (its
// suspects); for every change, its chain. Both asked of the PainChain datasource that produced
// the panel's data, through Grafana's data proxy.
import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';
import { LinkButton, LoadingPlaceholder, Stack, Text, useStyles2 } from '@grafana/ui';
import type { CollectorApi } from '../../datasource/api/collector-api';
import { ChainView } from '../../shared/components/ChainView';
import { LoadFailed } from '../../shared/components/LoadFailed';
import { SuspectList } from '../../shared/components/SuspectList';
import { investigatePath } from '../../shared/investigate-url';
import { findCollector } from '../../shared/painchain-datasource';
import { useCollector } from '../../shared/use-collector';
import { TEST_IDS } from '../../test-ids';
import type { TimelineEvent } from '../types';

/** Suspects shown in the drawer; the Investigate page lists them all. */
const DRAWER_SUSPECTS = 3;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({ marginTop: theme.spacing(3) }),
});

function AlertSuspects({
  api,
  event,
  datasourceUid,
  timeZone,
}: {
  api: CollectorApi;
  event: TimelineEvent;
  datasourceUid: string;
  timeZone: TimeZone;
}) {
  const styles = useStyles2(getStyles);
  const answer = useCollector(() => api.suspects({ alert: event.id }), `${datasourceUid}:${event.id}`);
  return (
    <section className={styles.section} data-testid={TEST_IDS.drawer.suspects} aria-label="Suspects">
      <Stack direction="row" justifyContent="space-between" alignItems="center">
        <Text element="h4">What may have caused it</Text>
        <LinkButton
          data-testid={TEST_IDS.drawer.investigateLink}
          href={investigatePath({ alert: event.id, datasource: datasourceUid })}
          icon="search"
          size="sm"
          variant="primary"
        >
          Investigate
        </LinkButton>
      </Stack>
      {answer.state === 'loading' && <LoadingPlaceholder text="Ranking the changes before this alert…" />}
      {answer.state === 'error' && (
        <LoadFailed title="Could not rank the suspects" error={answer.error} onRetry={answer.retry} />
      )}
      {answer.state === 'done' && (
        <>
          <SuspectList answer={answer.value} api={api} timeZone={timeZone} limit={DRAWER_SUSPECTS} />
          {answer.value.suspects.length > DRAWER_SUSPECTS && (
            <Text color="secondary" element="p">
              {answer.value.suspects.length - DRAWER_SUSPECTS} more on the Investigate page.
            </Text>
          )}
        </>
      )}
    </section>
  );
}

export function ChangeDrilldown({ event, timeZone }: { event: TimelineEvent; timeZone: TimeZone }) {
  const styles = useStyles2(getStyles);
  const custom = event.frame.meta?.custom as { datasourceUid?: unknown } | undefined;
  const uid = typeof custom?.datasourceUid === 'string' ? custom.datasourceUid : undefined;
  const chainSection = (content: React.ReactNode) => (
    <section className={styles.section} data-testid={TEST_IDS.drawer.chain} aria-label="Chain">
      <Text element="h4">Chain</Text>
      {content}
    </section>
  );
  if (!UUID.test(event.id)) {
    return chainSection(
      <Text color="secondary" element="p">
        This row has no PainChain event id, so its chain cannot be followed. Query the PainChain changes data source for
        this panel.
      </Text>
    );
  }
  const collector = findCollector(uid);
  if (!collector.found) {
    return chainSection(
      <Text color="secondary" element="p">
        {collector.uid
          ? `The data source ${collector.uid} that answered is not available to you any more; `
          : 'No PainChain data source is set up; '}
        add one under Connections → Data sources to follow chains.
      </Text>
    );
  }
  const { api, uid: datasourceUid } = collector.target;
  return (
    <>
      {event.kind === 'alert' && (
        <AlertSuspects api={api} event={event} datasourceUid={datasourceUid} timeZone={timeZone} />
      )}
      {chainSection(<ChainView api={api} eventId={event.id} timeZone={timeZone} />)}
    </>
  );
}
